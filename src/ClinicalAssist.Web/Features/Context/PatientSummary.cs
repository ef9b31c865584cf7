using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>One row of the patient list. <see cref="DisplayName"/>, <see cref="Mrn"/> and <see cref="BirthDate"/>
/// are identifiers: shown to the clinician, never logged, never sent to a model.</summary>
public sealed record PatientSummary(
    string Id,
    string DisplayName,
    string Sex,
    int? AgeYears,
    DateOnly? BirthDate,
    string? Mrn,
    string? Location,
    string? AdmissionReason,
    DateTimeOffset? AdmittedAt,
    bool Deceased = false,
    DateTimeOffset? DiedAt = null)
{
    /// <summary>"died 2019, aged 62", "deceased (date not recorded)", or null for a living patient: the banner, rounds
    /// and the prompt say it the same way.</summary>
    public string? DeceasedText => !Deceased ? null
        : DiedAt is { } died ? $"died {died.Year.ToString(System.Globalization.CultureInfo.InvariantCulture)}{(AgeYears is { } age ? $", aged {age.ToString(System.Globalization.CultureInfo.InvariantCulture)}" : "")}"
        : "deceased (date not recorded)";
}

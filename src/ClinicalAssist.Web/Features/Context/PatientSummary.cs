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
    DateTimeOffset? AdmittedAt);

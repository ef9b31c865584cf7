using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>A pointer at one FHIR resource version: what every statement in a draft cites.</summary>
public sealed record ResourceRef(string Type, string Id, string? VersionId = null)
{
    /// <summary>"Type/Id" — the key used in <see cref="PatientContext.Resources"/>.</summary>
    public string Reference => $"{Type}/{Id}";

    public override string ToString() => VersionId is null ? Reference : $"{Reference}/_history/{VersionId}";

    public static ResourceRef From(Resource r) => new(r.TypeName, r.Id ?? "", r.Meta?.VersionId);
}

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

/// <summary>How one section of the context was assembled: loaded, empty, failed (the rest still shows), or
/// capped (loaded, but only the newest items up to the configured cap are kept; the message says how many).</summary>
public enum SectionState { Loaded, Empty, Failed, Capped }

public sealed record SectionStatus(string Section, SectionState State, int Count, string? Message = null);

public sealed record ContextEncounter(ResourceRef Source, string Status, string Class, string? Reason, string? Location, DateTimeOffset? Start);

public sealed record ContextCondition(
    ResourceRef Source, string Display, string? Snomed, string? Icd10,
    string ClinicalStatus, string VerificationStatus, DateTimeOffset? Onset);

public sealed record ContextMedication(
    ResourceRef Source, string Display, string? RxNorm, string Status, string? Dosage, DateTimeOffset? AuthoredOn);

public sealed record ContextAllergy(
    ResourceRef Source, string Substance, string? Criticality, string ClinicalStatus, IReadOnlyList<string> Reactions);

/// <summary>A lab or vital sign. <see cref="Components"/> carries blood pressure's systolic/diastolic.</summary>
public sealed record ContextObservation(
    ResourceRef Source,
    string Category,
    string Display,
    string? Loinc,
    decimal? Value,
    string? Unit,
    string? ValueText,
    string? ReferenceRange,
    string? Interpretation,
    DateTimeOffset? Effective,
    IReadOnlyList<ContextObservationComponent> Components)
{
    /// <summary>True when the interpretation flag says abnormal (H, L, HH, LL, A, AA, critical).</summary>
    public bool IsAbnormal => Interpretation is { Length: > 0 } i && i is not "N";

    public bool IsCritical => Interpretation is "HH" or "LL" or "AA";

    public string FormattedValue => Components.Count > 0
        ? string.Join("/", Components.Select(c => c.Value?.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) ?? "?")) + (Unit is null ? "" : " " + Unit)
        : Value is { } v ? v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + (Unit is null ? "" : " " + Unit) : ValueText ?? "";
}

public sealed record ContextObservationComponent(string Display, string? Loinc, decimal? Value, string? Unit);

/// <summary>A clinical note (DocumentReference). Its text is data, never instructions. Text and markdown
/// attachments are extracted (inline or from a Binary); other content types are listed in
/// <see cref="OtherContent"/> (e.g. "application/pdf"), not parsed. <see cref="Truncated"/> is true when the text
/// was cut at the configured note size.</summary>
public sealed record ContextNote(ResourceRef Source, string Title, string? Author, DateTimeOffset? Date, string Text,
    IReadOnlyList<string>? OtherContent = null, bool Truncated = false);

public sealed record ContextProcedure(ResourceRef Source, string Display, string? Snomed, string Status, DateTimeOffset? Performed);

/// <summary>A DiagnosticReport: its conclusion and the observations it groups (as "Type/Id" references).</summary>
public sealed record ContextDiagnosticReport(
    ResourceRef Source, string Display, string? Loinc, string Status, string? Category, DateTimeOffset? Effective,
    string? Conclusion, IReadOnlyList<string> Results);

public sealed record ContextImmunization(ResourceRef Source, string Vaccine, string? Cvx, string Status, DateTimeOffset? Occurrence);

/// <summary>A CarePlan or a Goal (<see cref="Kind"/> is "CarePlan" or "Goal").</summary>
public sealed record ContextCarePlan(
    ResourceRef Source, string Kind, string Display, string Status, DateTimeOffset? Start, IReadOnlyList<string> Activities);

/// <summary>One analyte's values over the window, oldest first, for a trend chart.</summary>
public sealed record LabSeries(string Key, string Display, string? Unit, IReadOnlyList<ContextObservation> Points);

/// <summary>The patient's chart as the product sees it, whatever the record source.</summary>
public sealed class PatientContext
{
    public required PatientSummary Patient { get; init; }
    public ContextEncounter? Encounter { get; init; }
    public IReadOnlyList<ContextCondition> Conditions { get; init; } = [];
    public IReadOnlyList<ContextMedication> Medications { get; init; } = [];
    public IReadOnlyList<ContextAllergy> Allergies { get; init; } = [];
    public IReadOnlyList<ContextObservation> Labs { get; init; } = [];
    public IReadOnlyList<ContextObservation> Vitals { get; init; } = [];
    public IReadOnlyList<ContextNote> Notes { get; init; } = [];
    public IReadOnlyList<ContextProcedure> Procedures { get; init; } = [];
    public IReadOnlyList<ContextDiagnosticReport> DiagnosticReports { get; init; } = [];
    public IReadOnlyList<ContextImmunization> Immunizations { get; init; } = [];

    /// <summary>Care plans and goals.</summary>
    public IReadOnlyList<ContextCarePlan> CarePlans { get; init; } = [];

    /// <summary>The items of the sections declared with a mapper of their own (<see cref="ContextSection.Map"/>), by key.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ContextEntry>> Entries { get; init; } = new Dictionary<string, IReadOnlyList<ContextEntry>>();

    /// <summary>The items of a generic section (empty when it has none or is not generic).</summary>
    public IReadOnlyList<ContextEntry> EntriesOf(string key) => Entries.TryGetValue(key, out var list) ? list : [];

    public IReadOnlyList<SectionStatus> Sections { get; init; } = [];

    /// <summary>Every resource the context was built from, keyed by "Type/Id", to show the source of a citation.</summary>
    public IReadOnlyDictionary<string, Resource> Resources { get; init; } = new Dictionary<string, Resource>();

    public DateTimeOffset AssembledAt { get; init; }

    /// <summary>Lab values grouped per analyte (LOINC code, else display), oldest first; analytes with a numeric value only.</summary>
    public IReadOnlyList<LabSeries> LabTrends() =>
        Labs.Where(l => l.Value is not null)
            .GroupBy(l => l.Loinc ?? l.Display, StringComparer.OrdinalIgnoreCase)
            .Select(g =>
            {
                var points = g.OrderBy(l => l.Effective ?? DateTimeOffset.MinValue).ToList();
                return new LabSeries(g.Key, points[^1].Display, points[^1].Unit, points);
            })
            .OrderBy(s => s.Display, StringComparer.OrdinalIgnoreCase)
            .ToList();
}

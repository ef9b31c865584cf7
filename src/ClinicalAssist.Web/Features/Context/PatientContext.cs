using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

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

    /// <summary>Observations that are neither labs nor vital signs (survey, exam, social history, …), newest first;
    /// <see cref="ContextObservation.Category"/> says which.</summary>
    public IReadOnlyList<ContextObservation> OtherObservations { get; init; } = [];
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

    /// <summary>Every resource the source returned, accounted for (shown, or why not).</summary>
    public RecordCoverage Coverage { get; init; } = RecordCoverage.Empty;

    /// <summary>Items dated at or after this are "recent" on the chart (<see cref="FhirOptions.RecentDays"/>); older ones
    /// are listed under "Earlier".</summary>
    public DateTimeOffset RecentSince { get; init; } = DateTimeOffset.MinValue;

    /// <summary>True when the date is inside the recent window (an undated item is not called recent).</summary>
    public bool IsRecent(DateTimeOffset? date) => date is { } d && d >= RecentSince;

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

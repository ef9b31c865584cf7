using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>A patient's raw FHIR resources as one source returned them, and which sections failed to load.</summary>
public sealed record PatientRecord(Patient Patient, IReadOnlyList<Resource> Resources, IReadOnlyList<SectionStatus> Failures)
{
    /// <summary>How the source read this record, when it has a choice (the Server source: "everything" or "searches").</summary>
    public string? Strategy { get; init; }

    /// <summary>Entries the source received but could not parse, by the resource type they claimed: counted in the
    /// record's coverage, never dropped without a word.</summary>
    public IReadOnlyDictionary<string, int> Unreadable { get; init; } = new Dictionary<string, int>();
}

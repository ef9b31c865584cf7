using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>A patient's raw FHIR resources as one source returned them, and which sections failed to load.</summary>
public sealed record PatientRecord(Patient Patient, IReadOnlyList<Resource> Resources, IReadOnlyList<SectionStatus> Failures)
{
    /// <summary>How the source read this record, when it has a choice (the Server source: "everything" or "searches").</summary>
    public string? Strategy { get; init; }
}

using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>One section of the patient context, declared once: the reader runs its searches, the builder maps and caps
/// it, the chart page labels it, the prompt and the citation index place it.</summary>
/// <param name="Key">The section's name in <see cref="SectionStatus.Section"/> and in tests.</param>
/// <param name="Label">Its label on the chart page and in messages.</param>
/// <param name="ItemLabel">What one item is called in a citation's one-line description ("Condition: …").</param>
/// <param name="Searches">The searches that feed it (a search shared by two sections is run once).</param>
/// <param name="CitationPrefix">The letter of its citation keys ("L3"), or null when its items are not cited.</param>
/// <param name="Prompt">Its place in the prompt, or null when it is not sent to the model.</param>
/// <param name="Map">For sections without a typed list of their own: the item of one resource of the section's
/// search types (null to skip it), given the patient id. Typed sections (conditions, labs, …) are mapped by
/// <see cref="PatientContextBuilder"/>.</param>
/// <param name="Cap">Items kept (newest first); null = <see cref="FhirOptions.MaxItemsPerSection"/>.</param>
/// <param name="Dated">Whether the time window (<see cref="FhirOptions.WindowDays"/>) applies to its items.</param>
public sealed record ContextSection(
    string Key,
    string Label,
    string ItemLabel,
    IReadOnlyList<SectionSearch> Searches,
    char? CitationPrefix = null,
    PromptSection? Prompt = null,
    Func<Resource, string, ContextEntry?>? Map = null,
    int? Cap = null,
    bool Dated = false);

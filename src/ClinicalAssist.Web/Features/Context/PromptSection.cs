namespace ClinicalAssist.Web.Features.Context;

/// <summary>How a section appears in the prompt: its position among the prompt's sections (and the citation-key
/// order), its short name (in "left out" notes), its title and what its items are called when the budget leaves
/// some out.</summary>
public sealed record PromptSection(int Order, string Name, string Title, string OmittedNoun);

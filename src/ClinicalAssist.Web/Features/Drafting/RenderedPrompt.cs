using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>The prompt actually sent (or, for the offline drafter, the one that would be): template id and
/// version, system and user messages; the serialised context (the snapshot stored with the draft), the tokens
/// counted against the budget, the settings used and what the budget left out.</summary>
public sealed record RenderedPrompt(string TemplateId, int TemplateVersion, string System, string User)
{
    public string Context { get; init; } = "";
    public int Tokens { get; init; }
    public PromptSettings Settings { get; init; } = PromptSettings.Default;
    public IReadOnlyList<OmittedItems> Omitted { get; init; } = [];
}

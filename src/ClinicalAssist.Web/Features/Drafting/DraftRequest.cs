using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>What a drafter is given: the context, its citation keys and the rendered prompt (for a model).</summary>
public sealed record DraftRequest(PatientContext Context, CitationIndex Citations, RenderedPrompt Prompt)
{
    /// <summary>Filled in by the model while it answers: what the endpoint reported.</summary>
    public DraftCallInfo Call { get; } = new();
}

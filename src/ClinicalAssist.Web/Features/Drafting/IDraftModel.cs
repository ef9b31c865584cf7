using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>What a drafter is given: the context, its citation keys and the rendered prompt (for a model).</summary>
public sealed record DraftRequest(PatientContext Context, CitationIndex Citations, RenderedPrompt Prompt);

/// <summary>The model seam: the offline rule-based drafter (default) or an Azure AI Foundry endpoint.</summary>
public interface IDraftModel
{
    /// <summary>Shown on every draft, e.g. "Offline rule-based draft — no AI model".</summary>
    string DisplayName { get; }

    /// <summary>False for the offline drafter: its drafts are labelled as not produced by AI.</summary>
    bool IsAi { get; }

    /// <summary>Model/deployment id recorded with the draft.</summary>
    string ModelId { get; }

    /// <summary>Streams the draft text. Statements cite context items as [KEY] (see <see cref="CitationIndex"/>).</summary>
    IAsyncEnumerable<string> StreamAsync(DraftRequest request, CancellationToken cancellationToken);
}

using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>The model seam: the offline rule-based drafter (default) or an Azure AI Foundry endpoint.</summary>
public interface IDraftModel
{
    /// <summary>Shown on every draft, e.g. "Offline rule-based draft — no AI model".</summary>
    string DisplayName { get; }

    /// <summary>False for the offline drafter: its drafts are labelled as not produced by AI.</summary>
    bool IsAi { get; }

    /// <summary>Model/deployment id recorded with the draft.</summary>
    string ModelId { get; }

    /// <summary>Streams the answer: JSON in the <see cref="DraftAnswer"/> contract (statements cite context items by
    /// key, see <see cref="CitationIndex"/>). Anything else is shown as raw text, marked unverified.</summary>
    IAsyncEnumerable<string> StreamAsync(DraftRequest request, CancellationToken cancellationToken);
}

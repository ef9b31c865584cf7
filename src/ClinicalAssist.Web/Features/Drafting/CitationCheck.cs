using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>Outcome of checking a draft's citations against the context it was drafted from.</summary>
/// <param name="UnknownKeys">Keys cited in the draft that are not in the index (invented or stale), in order of first use.</param>
/// <param name="UncitedStatements">Statements (non-heading text) that carry no citation, as written.</param>
/// <param name="CitedKeys">Known keys cited, in order of first use.</param>
/// <param name="CitedResources">The resources behind <paramref name="CitedKeys"/>, same order, no duplicates.</param>
public sealed record CitationCheck(
    IReadOnlyList<string> UnknownKeys,
    IReadOnlyList<string> UncitedStatements,
    IReadOnlyList<string> CitedKeys,
    IReadOnlyList<ResourceRef> CitedResources)
{
    /// <summary>True when every statement cites at least one key and every cited key resolves.</summary>
    public bool IsClean => UnknownKeys.Count == 0 && UncitedStatements.Count == 0;
}

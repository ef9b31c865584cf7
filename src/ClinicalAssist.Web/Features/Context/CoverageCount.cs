namespace ClinicalAssist.Web.Features.Context;

/// <summary>How many resources of one type (and, for observations, one category) had one outcome; for a group that is
/// not shown, what its resources were (newest first, at most <see cref="RecordCoverage.ItemsPerGroup"/>), so the
/// chart can show them on request.</summary>
public sealed record CoverageCount(string Type, string? Category, CoverageOutcome Outcome, int Count)
{
    public IReadOnlyList<string> Items { get; init; } = [];
}

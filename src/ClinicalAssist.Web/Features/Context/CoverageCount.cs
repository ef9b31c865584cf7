namespace ClinicalAssist.Web.Features.Context;

/// <summary>How many resources of one type (and, for observations, one category) had one outcome.</summary>
public sealed record CoverageCount(string Type, string? Category, CoverageOutcome Outcome, int Count);

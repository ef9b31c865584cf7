namespace ClinicalAssist.Web.Features.Validation;

/// <summary>The aggregate metrics of a run (or of one cohort of it). A rate is null when nothing was there to measure.</summary>
public sealed record RunMetrics(
    int Cases,
    int Succeeded,
    int Structured,
    int VerifiedCases,
    int CitedStatements,
    int ValidCitedStatements,
    int UnknownKeys,
    int UncitedStatements,
    int NumberMismatches,
    int CasesWithUnverifiedNumbers,
    int MustIncludeDeclared,
    int MustIncludeCovered,
    int InjectionCases,
    int InjectionFollowed,
    double? MeanWords,
    int? LatencyP50Ms,
    int? LatencyP95Ms,
    long PromptTokens,
    long CompletionTokens,
    int ReferenceCases,
    double? MeanEditDistance)
{
    /// <summary>Share of cited statements whose every key was in the prompt.</summary>
    public double? CitationValidity => CitedStatements == 0 ? null : (double)ValidCitedStatements / CitedStatements;

    /// <summary>Share of the declared must-include items the answers cite.</summary>
    public double? MustIncludeRecall => MustIncludeDeclared == 0 ? null : (double)MustIncludeCovered / MustIncludeDeclared;

    /// <summary>Share of cases answered in the contract with every key known, every statement cited and every number
    /// in its cited sources (a failed case counts as not verified).</summary>
    public double? VerifiedRate => Cases == 0 ? null : (double)VerifiedCases / Cases;
}

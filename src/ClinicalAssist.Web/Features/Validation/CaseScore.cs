namespace ClinicalAssist.Web.Features.Validation;

/// <summary>The product's verification of one answer to one case, as counts (stored on the case's result).</summary>
public sealed record CaseScore(
    string AnswerText,
    bool Structured,
    int CitedStatements,
    int ValidCitedStatements,
    int UnknownKeys,
    int UncitedStatements,
    int NumberMismatches,
    int MustIncludeDeclared,
    int MustIncludeCovered,
    bool? InjectionFollowed,
    int Words,
    double? EditDistance);

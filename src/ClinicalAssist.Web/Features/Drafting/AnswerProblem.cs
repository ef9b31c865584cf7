namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>One active problem: its name and assessment (citing the problem), the evidence that bears on it — each
/// line with its trajectory in plain words and its own citations — and the plan (treatment in the record).</summary>
public sealed record AnswerProblem(string Problem, string Assessment, IReadOnlyList<string> Cite)
{
    /// <summary>Results and signs that bear on the problem, one line each ("Lactate 4.6 → 1.1 mmol/L, normalised").</summary>
    public IReadOnlyList<CitedStatement> Evidence { get; init; } = [];

    /// <summary>The plan: treatment given, held or stopped for it, as the record shows.</summary>
    public IReadOnlyList<CitedStatement> Plan { get; init; } = [];
}

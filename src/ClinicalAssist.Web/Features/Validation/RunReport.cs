using ClinicalAssist.Data;

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>A run's report: the run and its set, the metrics over every finished case, the cohorts and each case.</summary>
public sealed record RunReport(EvaluationRun Run, EvaluationSet Set, int Finished, RunMetrics Whole, IReadOnlyList<CohortRow> Cohorts, IReadOnlyList<CaseRow> Cases)
{
    public bool AnyCohortFlagged => Cohorts.Any(c => c.Flagged);
}

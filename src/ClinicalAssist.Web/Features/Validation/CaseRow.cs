using ClinicalAssist.Data;

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>One case of a run's report: what the case shows (position, age band, sex, service) and its result.</summary>
public sealed record CaseRow(int Position, string AgeBand, string Sex, string Service, EvaluationResult? Result);

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>One metric of one cohort against the whole run: the cohort's value with its n and 95 % Wilson interval,
/// the ratio to the whole's value, and whether that ratio falls outside the configured bounds.</summary>
public sealed record CohortRow(string Dimension, string Cohort, string Metric, int N, double Value, double Low, double High, double Whole, double Ratio, bool Flagged);

using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>
/// A run's report from its stored results: the aggregate metrics, the same metrics per cohort (age band, sex, service)
/// with n, a 95 % Wilson interval and the ratio to the whole — flagged outside
/// [<see cref="ValidationOptions.CohortRatioLower"/>, <see cref="ValidationOptions.CohortRatioUpper"/>] (seismometer's
/// 0.8–1.25) — and each case. No judge is configured, so no rubric score is shown: the report says "judge: none".
/// </summary>
public sealed class EvaluationReports(IDbContextFactory<AppDbContext> dbFactory, IOptions<ValidationOptions> options)
{
    /// <summary>The cohort dimensions, declared once.</summary>
    public static readonly IReadOnlyList<(string Name, Func<EvaluationCase, string> Of)> Dimensions =
    [
        ("Age band", c => c.AgeBand),
        ("Sex", c => c.Sex),
        ("Service", c => c.Service),
    ];

    public async Task<RunReport?> ForRunAsync(Guid runId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var run = await db.EvaluationRuns.AsNoTracking().SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null) return null;
        var set = await db.EvaluationSets.AsNoTracking().SingleAsync(s => s.Id == run.SetId, cancellationToken);
        var cases = await db.EvaluationCases.AsNoTracking().Where(c => c.SetId == run.SetId && c.Included).OrderBy(c => c.Position)
            .Select(c => new EvaluationCase { Id = c.Id, Position = c.Position, AgeBand = c.AgeBand, Sex = c.Sex, Service = c.Service, ContextSnapshot = "" })
            .ToListAsync(cancellationToken);
        var results = await db.EvaluationResults.AsNoTracking().Where(x => x.RunId == runId).ToDictionaryAsync(x => x.CaseId, cancellationToken);
        return Build(run, set, cases, results, options.Value);
    }

    internal static RunReport Build(EvaluationRun run, EvaluationSet set, IReadOnlyList<EvaluationCase> cases, IReadOnlyDictionary<Guid, EvaluationResult> results, ValidationOptions options)
    {
        var finished = cases.Where(c => results.ContainsKey(c.Id)).ToList();
        var whole = Metrics(finished.Select(c => results[c.Id]).ToList());
        var cohorts = new List<CohortRow>();
        foreach (var (name, of) in Dimensions)
        {
            foreach (var group in finished.GroupBy(of, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var m = Metrics(group.Select(c => results[c.Id]).ToList());
                Add(cohorts, name, group.Key, "Verified cases", m.VerifiedCases, m.Cases, whole.VerifiedRate, options);
                Add(cohorts, name, group.Key, "Citation validity", m.ValidCitedStatements, m.CitedStatements, whole.CitationValidity, options);
                Add(cohorts, name, group.Key, "Must-include recall", m.MustIncludeCovered, m.MustIncludeDeclared, whole.MustIncludeRecall, options);
            }
        }
        return new RunReport(run, set, finished.Count, whole, cohorts,
            cases.Select(c => new CaseRow(c.Position, c.AgeBand, c.Sex, c.Service, results.GetValueOrDefault(c.Id))).ToList());
    }

    private static void Add(List<CohortRow> rows, string dimension, string cohort, string metric, int successes, int n, double? whole, ValidationOptions options)
    {
        if (n == 0 || whole is not { } w || w <= 0) return; // nothing to compare
        var value = (double)successes / n;
        var (low, high) = Wilson(successes, n);
        var ratio = value / w;
        rows.Add(new CohortRow(dimension, cohort, metric, n, value, low, high, w, ratio,
            ratio < options.CohortRatioLower || ratio > options.CohortRatioUpper));
    }

    /// <summary>The 95 % Wilson score interval of a proportion (sound for small n and for 0 or n successes).</summary>
    internal static (double Low, double High) Wilson(int successes, int n)
    {
        const double z = 1.959963984540054;
        var p = (double)successes / n;
        var denominator = 1 + z * z / n;
        var centre = (p + z * z / (2 * n)) / denominator;
        var half = z * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n)) / denominator;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    internal static RunMetrics Metrics(IReadOnlyList<EvaluationResult> results)
    {
        var ok = results.Where(r => r.Succeeded).ToList();
        var latencies = ok.Select(r => r.LatencyMs).Order().ToList();
        var references = ok.Where(r => r.EditDistance is not null).ToList();
        return new RunMetrics(
            Cases: results.Count,
            Succeeded: ok.Count,
            Structured: ok.Count(r => r.Structured),
            VerifiedCases: ok.Count(r => r.Structured && r.UnknownKeys == 0 && r.UncitedStatements == 0 && r.NumberMismatches == 0 && r.ValidCitedStatements == r.CitedStatements),
            CitedStatements: ok.Sum(r => r.CitedStatements),
            ValidCitedStatements: ok.Sum(r => r.ValidCitedStatements),
            UnknownKeys: ok.Sum(r => r.UnknownKeys),
            UncitedStatements: ok.Sum(r => r.UncitedStatements),
            NumberMismatches: ok.Sum(r => r.NumberMismatches),
            CasesWithUnverifiedNumbers: ok.Count(r => r.NumberMismatches > 0),
            // A failed case declared its items too: they were not covered.
            MustIncludeDeclared: results.Sum(r => r.MustIncludeDeclared),
            MustIncludeCovered: ok.Sum(r => r.MustIncludeCovered),
            InjectionCases: ok.Count(r => r.InjectionFollowed is not null),
            InjectionFollowed: ok.Count(r => r.InjectionFollowed == true),
            MeanWords: ok.Count == 0 ? null : ok.Average(r => r.Words),
            LatencyP50Ms: Percentile(latencies, 0.50),
            LatencyP95Ms: Percentile(latencies, 0.95),
            PromptTokens: ok.Sum(r => (long)(r.PromptTokens ?? 0)),
            CompletionTokens: ok.Sum(r => (long)(r.CompletionTokens ?? 0)),
            ReferenceCases: references.Count,
            MeanEditDistance: references.Count == 0 ? null : references.Average(r => r.EditDistance!.Value));
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    internal static int? Percentile(IReadOnlyList<int> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

using System.Globalization;
using System.Runtime.InteropServices;
using ClinicalAssist.Data;

namespace ClinicalAssist.Benchmarks.Queue;

public sealed record PageResult(PreparedScenario Prepared, LatencyStats Latency, int PageRows)
{
    public bool MetGoal => Latency.P95 <= QueueReport.PageGoalP95Ms;
}

public sealed record QueueBenchmarkResult(
    QueueBenchmarkOptions Options,
    DateTimeOffset StartedAt,
    SeedResult Seed,
    TimeSpan MigrateTime,
    TimeSpan AnalyzeTime,
    long DatabaseBytes,
    string SqliteVersion,
    string JournalMode,
    IReadOnlyList<PageResult> Pages,
    LatencyStats Counts,
    IReadOnlyList<(string Scenario, string Plan)> Plans,
    string? LoadBefore,
    string? LoadAfter);

/// <summary>Writes the result as markdown: the latency table first, then how it was measured, then the plans.</summary>
public static class QueueReport
{
    public const double PageGoalP95Ms = 50;
    public const int PageSize = 25;

    /// <summary>The 1/5/15-minute load average on Linux (null elsewhere): says whether the machine was busy.</summary>
    public static string? LoadAverage()
    {
        const string path = "/proc/loadavg";
        return File.Exists(path) ? string.Join(' ', File.ReadAllText(path).Split(' ').Take(3)) : null;
    }

    public static void Write(TextWriter output, QueueBenchmarkResult result, TimeSpan totalWallTime)
    {
        var c = CultureInfo.InvariantCulture;
        var seed = result.Seed;
        output.WriteLine();
        output.WriteLine("## Review queue latency: SQLite, ReviewQueueQuery.GetPageAsync");
        output.WriteLine();
        output.WriteLine("| Query | p50 ms | p95 ms | max ms | goal | met |");
        output.WriteLine("|---|---:|---:|---:|---|---|");
        foreach (var page in result.Pages)
        {
            output.WriteLine(string.Create(c,
                $"| {page.Prepared.Scenario.Name} | {page.Latency.P50:F2} | {page.Latency.P95:F2} | {page.Latency.Max:F2} | p95 ≤ {PageGoalP95Ms:F0} ms | {(page.MetGoal ? "yes" : "**NO**")} |"));
        }
        output.WriteLine();
        output.WriteLine("Counts per status (CountsAsync: a GROUP BY over every draft; no goal set, reported separately):");
        output.WriteLine();
        output.WriteLine("| Query | p50 ms | p95 ms | max ms |");
        output.WriteLine("|---|---:|---:|---:|");
        output.WriteLine(string.Create(c, $"| Counts per status | {result.Counts.P50:F2} | {result.Counts.P95:F2} | {result.Counts.Max:F2} |"));
        output.WriteLine();

        var missed = result.Pages.Where(p => !p.MetGoal).ToList();
        output.WriteLine(missed.Count == 0
            ? string.Create(c, $"**Goal met**: every page query has p95 ≤ {PageGoalP95Ms:F0} ms.")
            : string.Create(c, $"**GOAL MISSED** (p95 > {PageGoalP95Ms:F0} ms) by {missed.Count} page quer{(missed.Count == 1 ? "y" : "ies")}: ")
              + string.Join("; ", missed.Select(p => p.Prepared.Scenario.Name)) + ". This is a measurement: the exit code stays 0.");
        output.WriteLine();

        output.WriteLine(string.Create(c, $"- Drafts: {seed.Drafts:N0} (") +
            string.Join(", ", seed.StatusCounts.OrderByDescending(kv => kv.Value).Select(kv => string.Create(c, $"{kv.Key} {kv.Value:N0}"))) + ")");
        output.WriteLine(string.Create(c,
            $"- Seed: {seed.Elapsed.TotalSeconds:F1} s (prepared INSERT, one transaction; {seed.Drafts / seed.Elapsed.TotalSeconds:N0} drafts/s), migrate {result.MigrateTime.TotalSeconds:F1} s, ANALYZE {result.AnalyzeTime.TotalSeconds:F1} s; {seed.RowsVerified} sampled rows read back through EF identical"));
        output.WriteLine(string.Create(c, $"- DB size: {result.DatabaseBytes / 1024.0 / 1024.0:N1} MiB (journal mode {result.JournalMode}, after a checkpoint)"));
        output.WriteLine(string.Create(c,
            $"- Machine: {Environment.ProcessorCount} logical processors, {RuntimeInformation.OSDescription} ({RuntimeInformation.OSArchitecture}), .NET {Environment.Version}, SQLite {result.SqliteVersion}"));
        if (result.LoadBefore is not null)
        {
            output.WriteLine($"- Load average (1/5/15 min) before timing: {result.LoadBefore}; after: {result.LoadAfter} " +
                $"(above {Environment.ProcessorCount} means other processes competed for the CPUs: tails are then noisy)");
        }
        output.WriteLine(string.Create(c, $"- Date: {result.StartedAt:yyyy-MM-dd HH:mm} UTC"));
        output.WriteLine(string.Create(c,
            $"- Method: page size {PageSize}, {result.Options.Warmup} warm-up + {result.Options.Iterations} timed calls per query, one at a time, Stopwatch around each GetPageAsync/CountsAsync call (context from a PooledDbContextFactory, default connection pooling, warm OS file cache). Deep page = cursor at the row {QueueScenarios.DeepFraction:P0} of the way through its view:"));
        foreach (var page in result.Pages)
        {
            var p = page.Prepared;
            output.WriteLine(string.Create(c,
                $"  - {p.Scenario.Name}: view {p.ViewRows:N0} rows{(p.CursorRow is { } row ? string.Create(c, $", cursor after row {row:N0}") : "")}, page returned {page.PageRows} rows"));
        }
        output.WriteLine(string.Create(c, $"- Total wall time: {totalWallTime.TotalSeconds:F1} s"));
        output.WriteLine();

        output.WriteLine("### Query plans (EXPLAIN QUERY PLAN of ReviewQueueQuery.BuildQuery(...).Take(26))");
        foreach (var (scenario, plan) in result.Plans)
        {
            output.WriteLine();
            output.WriteLine($"{scenario}:");
            output.WriteLine("```");
            output.WriteLine(plan);
            output.WriteLine("```");
        }
    }
}

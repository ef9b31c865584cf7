using System.Globalization;
using ClinicalAssist.Benchmarks.Queue;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Admin;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace ClinicalAssist.Benchmarks.Quality;

/// <summary>
/// The <c>quality</c> benchmark: the same synthetic year of drafts as <c>queue</c>, then the quality dashboard's
/// <see cref="QualityMetrics.ReportAsync"/> timed over the last 7, 30 and 90 days (all configurations and templates).
/// Usage: quality [--drafts N] [--iterations N]
/// </summary>
public static class QualityBenchmark
{
    public const string Usage = "Usage: dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- quality [--drafts 1000000] [--iterations 10]";

    public static Task<int> RunAsync(ReadOnlySpan<string> args, TextWriter output, TextWriter log, CancellationToken ct)
    {
        var drafts = 1_000_000;
        var iterations = 10;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1].Replace("_", ""), NumberStyles.None, CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--drafts": drafts = value; break;
                case "--iterations": iterations = value; break;
                default: log.WriteLine(Usage); return Task.FromResult(2);
            }
        }
        return RunAsync(drafts, iterations, output, log, ct);
    }

    private static async Task<int> RunAsync(int drafts, int iterations, TextWriter output, TextWriter log, CancellationToken ct)
    {
        var startedAt = DateTimeOffset.UtcNow;
        await using var database = BenchmarkDatabase.Create(null);
        await database.MigrateAsync(ct);
        var source = new SyntheticDraftSource(20_261_124, startedAt);
        await log.WriteLineAsync($"Seeding {drafts:N0} drafts...");
        var seed = await DraftSeeder.SeedAsync(database, source, drafts, log, ct);
        await log.WriteLineAsync($"Seeded in {seed.Elapsed.TotalSeconds:F1} s.");

        var metrics = new QualityMetrics(new PooledDbContextFactory<AppDbContext>(database.Options));
        var loadBefore = QueueReport.LoadAverage();
        var c = CultureInfo.InvariantCulture;
        await output.WriteLineAsync(string.Create(c, $"Quality metrics over {drafts:N0} drafts (SQLite), {iterations} timed calls each after 1 warm-up; run {startedAt:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load {loadBefore}."));
        await output.WriteLineAsync();
        await output.WriteLineAsync("| Period | drafts in period | p50 ms | p95 ms | max ms |");
        await output.WriteLineAsync("|---|---|---|---|---|");
        foreach (var days in new[] { 7, 30, 90 })
        {
            var filter = new QualityFilter(startedAt.AddDays(-days), startedAt.AddMinutes(1));
            await log.WriteLineAsync($"Timing: last {days} days");
            var (stats, rows) = await LatencyStats.MeasureAsync(async token => (await metrics.ReportAsync(filter, token)).Overall.Total, 1, iterations, ct);
            await output.WriteLineAsync(string.Create(c, $"| last {days} days | {rows:N0} | {stats.P50:F0} | {stats.P95:F0} | {stats.Max:F0} |"));
        }
        await output.WriteLineAsync(string.Create(c, $"\nLoad average before/after: {loadBefore} / {QueueReport.LoadAverage()}."));
        return 0;
    }
}

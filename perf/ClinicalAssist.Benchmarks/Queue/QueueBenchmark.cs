using System.Diagnostics;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Review;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace ClinicalAssist.Benchmarks.Queue;

/// <summary>
/// The <c>queue</c> benchmark: a fresh, migrated SQLite file seeded with a synthetic year of drafts, then
/// <see cref="ReviewQueueQuery"/> timed on first and deep pages of the main views and filters.
/// Progress goes to <paramref name="log"/>; the markdown result to <paramref name="output"/>.
/// </summary>
public sealed class QueueBenchmark(QueueBenchmarkOptions options, TextWriter output, TextWriter log)
{
    private const int Seed = 20_261_124;

    public async Task RunAsync(CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var startedAt = DateTimeOffset.UtcNow;
        await using var database = BenchmarkDatabase.Create(options.DatabasePath);
        log.WriteLine($"Database: {database.FilePath}");

        var stopwatch = Stopwatch.StartNew();
        await database.MigrateAsync(ct);
        var migrateTime = stopwatch.Elapsed;

        var source = new SyntheticDraftSource(Seed, startedAt);
        log.WriteLine($"Seeding {options.Drafts:N0} drafts...");
        var seed = await DraftSeeder.SeedAsync(database, source, options.Drafts, log, ct);
        log.WriteLine($"Seeded in {seed.Elapsed.TotalSeconds:F1} s.");

        string sqliteVersion, journalMode;
        TimeSpan analyzeTime;
        stopwatch.Restart();
        await using (var connection = await database.OpenUnpooledConnectionAsync(ct))
        {
            await ExecuteAsync(connection, "ANALYZE", ct);
            analyzeTime = stopwatch.Elapsed;
            // EF creates SQLite files in WAL mode: fold the WAL into the file so that the size below is the database's.
            await ExecuteAsync(connection, "PRAGMA wal_checkpoint(TRUNCATE)", ct);
            sqliteVersion = (string)(await ScalarAsync(connection, "SELECT sqlite_version()", ct))!;
            journalMode = (string)(await ScalarAsync(connection, "PRAGMA journal_mode", ct))!;
        }

        var dbFactory = new PooledDbContextFactory<AppDbContext>(database.Options);
        var query = new ReviewQueueQuery(dbFactory);
        var loadBefore = QueueReport.LoadAverage();
        var pages = new List<PageResult>();
        foreach (var scenario in QueueScenarios.For(source))
        {
            var prepared = await QueueScenarios.PrepareAsync(scenario, dbFactory, ct);
            log.WriteLine($"Timing: {scenario.Name} (view {prepared.ViewRows:N0} rows)");
            var (latency, rows) = await LatencyStats.MeasureAsync(
                async token => (await query.GetPageAsync(scenario.Filter, prepared.Cursor, QueueReport.PageSize, token)).Rows.Count,
                options.Warmup, options.Iterations, ct);
            pages.Add(new PageResult(prepared, latency, rows));
        }

        log.WriteLine("Timing: counts per status");
        var (counts, _) = await LatencyStats.MeasureAsync(async token => (await query.CountsAsync(token)).Count,
            options.Warmup, options.Iterations, ct);

        var loadAfter = QueueReport.LoadAverage();
        var plans = await ExplainAsync(database, dbFactory, pages, ct);
        var result = new QueueBenchmarkResult(options, startedAt, seed, migrateTime, analyzeTime, database.SizeOnDisk(),
            sqliteVersion, journalMode, pages, counts, plans, loadBefore, loadAfter);
        QueueReport.Write(output, result, total.Elapsed);
    }

    private static async Task<IReadOnlyList<(string, string)>> ExplainAsync(BenchmarkDatabase database,
        IDbContextFactory<AppDbContext> dbFactory, IReadOnlyList<PageResult> pages, CancellationToken ct)
    {
        var plans = new List<(string, string)>();
        await using var connection = await database.OpenUnpooledConnectionAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        foreach (var page in pages)
        {
            var prepared = page.Prepared;
            var queryString = ReviewQueueQuery.BuildQuery(db, prepared.Scenario.Filter, prepared.Cursor)
                .Take(QueueReport.PageSize + 1)
                .ToQueryString();
            plans.Add((prepared.Scenario.Name, await QueryPlan.ExplainAsync(connection, queryString, ct)));
        }
        return plans;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(ct);
    }
}

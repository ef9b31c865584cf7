using System.Diagnostics;
using ClinicalAssist.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Benchmarks.Queue;

/// <summary>The seeded rows would not read back through EF as written: the numbers would be meaningless.</summary>
public sealed class SeedVerificationException(string message) : Exception(message);

public sealed record SeedResult(int Drafts, IReadOnlyDictionary<DraftStatus, int> StatusCounts, TimeSpan Elapsed, int RowsVerified);

/// <summary>
/// Seeds drafts with <see cref="DraftBulkWriter"/> in one transaction, after proving on probe rows that the writer
/// stores exactly what EF's SaveChanges stores, and before handing over, reads a sample back through EF.
/// </summary>
public static class DraftSeeder
{
    private const int ProgressEvery = 100_000;
    private const int SampleRows = 200;

    public static async Task<SeedResult> SeedAsync(BenchmarkDatabase database, SyntheticDraftSource source, int count,
        TextWriter log, CancellationToken ct)
    {
        await VerifyWriterMatchesEfAsync(database, source, ct);
        log.WriteLine("Writer encoding matches EF SaveChanges on probe rows.");

        var stopwatch = Stopwatch.StartNew();
        var statusCounts = new Dictionary<DraftStatus, int>();
        var samples = new List<Draft>();
        var sampleEvery = Math.Max(1, count / SampleRows);
        await using (var connection = await database.OpenUnpooledConnectionAsync(ct))
        {
            // This connection only (it is not pooled): the file keeps its default journal mode for the queries.
            await ExecuteAsync(connection, "PRAGMA synchronous = OFF; PRAGMA cache_size = -524288; PRAGMA temp_store = MEMORY;", ct);
            await using var db = new AppDbContext(database.Options);
            using var transaction = connection.BeginTransaction();
            using var writer = DraftBulkWriter.Create(db, connection, transaction);
            var written = 0;
            foreach (var draft in source.Generate(count))
            {
                writer.Write(draft);
                statusCounts[draft.Status] = statusCounts.GetValueOrDefault(draft.Status) + 1;
                if (written % sampleEvery == 0) samples.Add(draft);
                if (++written % ProgressEvery == 0)
                {
                    ct.ThrowIfCancellationRequested();
                    log.WriteLine($"  seeded {written:N0} drafts ({written / stopwatch.Elapsed.TotalSeconds:N0}/s)");
                }
            }
            transaction.Commit();
        }
        var elapsed = stopwatch.Elapsed;

        await VerifyReadBackAsync(database, samples, statusCounts, ct);
        log.WriteLine($"Read back {samples.Count} sampled drafts through EF: identical.");
        return new SeedResult(count, statusCounts, elapsed, samples.Count);
    }

    /// <summary>
    /// For a few probe drafts: store it with EF SaveChanges, record every column as SQLite holds it (type and
    /// quoted value), delete it, store the same object with the writer, and compare. Runs on the empty table.
    /// </summary>
    private static async Task VerifyWriterMatchesEfAsync(BenchmarkDatabase database, SyntheticDraftSource source, CancellationToken ct)
    {
        foreach (var status in new[] { DraftStatus.Approved, DraftStatus.Rejected, DraftStatus.Signed, DraftStatus.Failed })
        {
            var probe = source.CreateProbe(status);
            await using (var db = new AppDbContext(database.Options))
            {
                db.Drafts.Add(probe);
                await db.SaveChangesAsync(ct); // also renews probe.Version, which the writer then stores as it is
            }

            await using var connection = await database.OpenUnpooledConnectionAsync(ct);
            await using var model = new AppDbContext(database.Options);
            IReadOnlyList<string> viaEf, viaWriter, columns;
            using (var transaction = connection.BeginTransaction())
            using (var writer = DraftBulkWriter.Create(model, connection, transaction))
            {
                columns = writer.ColumnNames;
                viaEf = await ReadOnlyRowAsync(connection, transaction, columns, ct);
                await ExecuteAsync(connection, "DELETE FROM \"Drafts\"", ct, transaction);
                writer.Write(probe);
                viaWriter = await ReadOnlyRowAsync(connection, transaction, columns, ct);
                await ExecuteAsync(connection, "DELETE FROM \"Drafts\"", ct, transaction);
                transaction.Commit();
            }

            var differences = columns.Select((c, i) => (Column: c, Ef: viaEf[i], Writer: viaWriter[i]))
                .Where(x => x.Ef != x.Writer)
                .Select(x => $"{x.Column}: EF stored {x.Ef}, writer stored {x.Writer}")
                .ToList();
            if (differences.Count > 0)
            {
                throw new SeedVerificationException($"{status} probe stored differently:\n  " + string.Join("\n  ", differences));
            }
        }
    }

    private static async Task VerifyReadBackAsync(BenchmarkDatabase database, IReadOnlyList<Draft> samples,
        IReadOnlyDictionary<DraftStatus, int> statusCounts, CancellationToken ct)
    {
        await using var db = new AppDbContext(database.Options);
        var properties = db.Model.FindEntityType(typeof(Draft))!.GetProperties()
            .Select(p => p.PropertyInfo!)
            .ToList();
        foreach (var expected in samples)
        {
            // Looked up by Id through EF: found only if the Guid is stored in EF's own TEXT form.
            var actual = await db.Drafts.AsNoTracking().SingleOrDefaultAsync(d => d.Id == expected.Id, ct)
                ?? throw new SeedVerificationException($"Draft {expected.Id} not found through EF.");
            var differences = properties.Where(p => !SameValue(p.GetValue(expected), p.GetValue(actual))).Select(p => p.Name).ToList();
            if (differences.Count > 0)
            {
                throw new SeedVerificationException($"Draft {expected.Id} reads back different {string.Join(", ", differences)}.");
            }
        }

        // Status is stored as the enum's name: EF's own filter and grouping must find every row.
        var stored = await db.Drafts.AsNoTracking().GroupBy(d => d.Status).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);
        if (stored.Count != statusCounts.Count || statusCounts.Any(kv => stored.GetValueOrDefault(kv.Key) != kv.Value))
        {
            throw new SeedVerificationException("Counts per status through EF differ from the counts written.");
        }
    }

    private static bool SameValue(object? expected, object? actual) => (expected, actual) switch
    {
        (DateTimeOffset e, DateTimeOffset a) => e.EqualsExact(a),
        _ => Equals(expected, actual),
    };

    private static async Task<IReadOnlyList<string>> ReadOnlyRowAsync(SqliteConnection connection, SqliteTransaction transaction,
        IReadOnlyList<string> columns, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT " + string.Join(", ", columns.Select(c => $"typeof(\"{c}\") || ':' || quote(\"{c}\")")) + " FROM \"Drafts\"";
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) throw new SeedVerificationException("The probe row was not stored.");
        var values = Enumerable.Range(0, columns.Count).Select(reader.GetString).ToList();
        if (await reader.ReadAsync(ct)) throw new SeedVerificationException("The Drafts table was not empty before the probe.");
        return values;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken ct, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }
}

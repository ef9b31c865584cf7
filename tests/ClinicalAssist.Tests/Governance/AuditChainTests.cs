using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Tests.Governance;

/// <summary>
/// The tamper-evident audit trail (docs/adr/0024) on SQLite, the app's own provider: rows chained as the product
/// writes them, the triggers that refuse UPDATE and DELETE, tampering on a copy of the file (triggers dropped, as
/// someone with file access would) named at the first broken row, concurrent writers, retention and rows from before
/// the chain.
/// </summary>
public sealed class AuditChainTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private readonly List<TestDatabase> _databases = [];
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var copy in _databases) await copy.DisposeAsync();
        await _db.DisposeAsync();
    }

    private AuditChainVerifier Verifier(TestDatabase db) => new(db, _clock);

    private async Task WriteAsync(int count, TestDatabase? db = null)
    {
        var log = new AuditLog(db ?? _db, _clock);
        for (var i = 0; i < count; i++)
        {
            await log.WriteAsync(i % 2 == 0 ? AuditActions.ChartViewed : AuditActions.DraftSigned, new Actor("u1", "Dr One"), $"p{i}",
                i % 2 == 0 ? null : Guid.NewGuid(), details: $"n={i}", cancellationToken: Ct);
            _clock.Advance(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>A copy of the database file with the triggers dropped and <paramref name="sql"/> run on it.</summary>
    private async Task<TestDatabase> TamperedCopyAsync(string sql)
    {
        var copy = await _db.CopyAsync();
        _databases.Add(copy);
        await copy.ExecuteSqlAsync($"""
            DROP TRIGGER "{AuditChain.NoUpdateTrigger}";
            DROP TRIGGER "{AuditChain.NoDeleteTrigger}";
            {sql}
            """);
        return copy;
    }

    [Fact]
    public async Task Rows_the_product_writes_form_one_unbroken_chain()
    {
        await WriteAsync(5);
        // Two rows saved with other changes in one SaveChanges, as decisions do.
        await using (var db = _db.CreateDbContext())
        {
            var audit = new AuditLog(_db, _clock);
            db.RoundsListEntries.Add(new RoundsListEntry { Id = Guid.NewGuid(), ClinicianId = "u1", PatientId = "p9", Included = true, ChangedAt = _clock.GetUtcNow() });
            db.AuditEvents.Add(audit.Create(AuditActions.RoundsPatientAdded, new Actor("u1", "Dr One"), "p9"));
            db.AuditEvents.Add(audit.Create(AuditActions.DraftSigned, new Actor("u1", "Dr One"), "p9", Guid.NewGuid()));
            await db.SaveChangesAsync(Ct);
        }

        var report = await Verifier(_db).VerifyAsync(Ct);

        Assert.True(report.Intact, report.Summary);
        Assert.Equal(7, report.RowsChecked);
        Assert.Equal(7, report.HeadSequence);
        await using var read = _db.CreateDbContext();
        var rows = await read.AuditEvents.OrderBy(a => a.Sequence).ToListAsync(Ct);
        Assert.Equal(Enumerable.Range(1, 7).Select(i => (long)i), rows.Select(r => r.Sequence));
        Assert.Equal(AuditChain.Genesis, rows[0].PreviousHash);
        Assert.All(rows.Skip(1).Zip(rows), pair => Assert.Equal(pair.Second.Hash, pair.First.PreviousHash));
        Assert.Equal(rows[^1].Hash, report.HeadHash);
        Assert.StartsWith("Audit chain intact: 7 row(s), sequence 1–7, head " + rows[^1].Hash, report.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_triggers_refuse_update_and_delete_of_audit_rows()
    {
        await WriteAsync(3);

        var update = await Assert.ThrowsAsync<SqliteException>(() => _db.ExecuteSqlAsync("""UPDATE "AuditEvents" SET "Details" = 'nothing happened' WHERE "Sequence" = 2;"""));
        Assert.Contains("append-only", update.Message, StringComparison.Ordinal);
        var delete = await Assert.ThrowsAsync<SqliteException>(() => _db.ExecuteSqlAsync("""DELETE FROM "AuditEvents" WHERE "Sequence" = 2;"""));
        Assert.Contains("append-only", delete.Message, StringComparison.Ordinal);
        // Through EF's bulk operations too (they bypass the change tracker's own refusal).
        await using var db = _db.CreateDbContext();
        await Assert.ThrowsAnyAsync<Exception>(() => db.AuditEvents.Where(a => a.Sequence == 1).ExecuteUpdateAsync(s => s.SetProperty(a => a.Outcome, "refused"), Ct));
        await Assert.ThrowsAnyAsync<Exception>(() => db.AuditEvents.ExecuteDeleteAsync(Ct));

        Assert.Equal(3, await db.AuditEvents.CountAsync(Ct));
        Assert.True((await Verifier(_db).VerifyAsync(Ct)).Intact);
    }

    [Fact]
    public async Task An_edited_row_in_a_copy_of_the_database_is_named()
    {
        await WriteAsync(10);

        var copy = await TamperedCopyAsync("""UPDATE "AuditEvents" SET "UserName" = 'Someone Else' WHERE "Sequence" = 4;""");
        var report = await Verifier(copy).VerifyAsync(Ct);

        Assert.False(report.Intact);
        Assert.Equal(4, report.Break!.Sequence);
        Assert.Equal(AuditChainBreakKind.Edited, report.Break.Kind);
        Assert.Equal(3, report.RowsChecked);
        Assert.StartsWith("Audit chain BROKEN at sequence 4 (row id ", report.Summary, StringComparison.Ordinal);
        Assert.Contains("changed after it was written", report.Summary, StringComparison.Ordinal);
        Assert.True((await Verifier(_db).VerifyAsync(Ct)).Intact, "the original is untouched");
    }

    [Fact]
    public async Task A_deleted_row_in_a_copy_of_the_database_is_named()
    {
        await WriteAsync(10);

        var copy = await TamperedCopyAsync("""DELETE FROM "AuditEvents" WHERE "Sequence" = 6;""");
        var report = await Verifier(copy).VerifyAsync(Ct);

        Assert.Equal(7, report.Break!.Sequence);
        Assert.Equal(AuditChainBreakKind.Deleted, report.Break.Kind);
        Assert.Contains("sequence 6 before it is missing: that row was deleted", report.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""DELETE FROM "AuditEvents" WHERE "Sequence" = 1;""", 2, AuditChainBreakKind.Deleted)]
    [InlineData("""DELETE FROM "AuditEvents" WHERE "Sequence" = 5; UPDATE "AuditEvents" SET "Sequence" = "Sequence" - 1 WHERE "Sequence" > 5;""", 5, AuditChainBreakKind.Relinked)]
    [InlineData("""UPDATE "AuditEvents" SET "Hash" = NULL, "PreviousHash" = NULL WHERE "Sequence" = 8;""", 8, AuditChainBreakKind.Unsealed)]
    [InlineData("""INSERT INTO "AuditEvents" ("At", "Action", "Outcome", "Sequence", "PreviousHash", "Hash") SELECT "At", 'draft.signed', 'success', 11, "Hash", "Hash" FROM "AuditEvents" WHERE "Sequence" = 10;""", 11, AuditChainBreakKind.Edited)]
    public async Task Other_tampering_in_a_copy_is_named_at_the_first_broken_row(string sql, long sequence, AuditChainBreakKind kind)
    {
        await WriteAsync(10);

        var copy = await TamperedCopyAsync(sql);
        var report = await Verifier(copy).VerifyAsync(Ct);

        Assert.False(report.Intact, report.Summary);
        Assert.Equal((sequence, kind), (report.Break!.Sequence, report.Break.Kind));
    }

    [Fact]
    public async Task A_swap_of_two_rows_is_reported_as_reordered()
    {
        await WriteAsync(6);

        var copy = await TamperedCopyAsync("""UPDATE "AuditEvents" SET "Sequence" = -1 WHERE "Sequence" = 3; UPDATE "AuditEvents" SET "Sequence" = 3 WHERE "Sequence" = 4; UPDATE "AuditEvents" SET "Sequence" = 4 WHERE "Sequence" = -1;""");
        var report = await Verifier(copy).VerifyAsync(Ct);

        Assert.Equal(3, report.Break!.Sequence);
        Assert.Contains("swapped with sequence 4: the rows were reordered", report.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_writers_never_fork_the_chain()
    {
        const int writers = 8, each = 20;
        using var go = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            go.Wait(Ct);
            var log = new AuditLog(_db, TimeProvider.System);
            for (var i = 0; i < each; i++)
            {
                if (i % 4 == 3)
                {
                    // A caller's own transaction, as ModelConfigurationAdmin does.
                    await using var db = _db.CreateDbContext();
                    await using var transaction = await db.Database.BeginTransactionAsync(Ct);
                    db.AuditEvents.Add(log.Create(AuditActions.ChartViewed, new Actor($"w{w}", "Writer"), $"p{i}"));
                    await db.SaveChangesAsync(Ct);
                    await transaction.CommitAsync(Ct);
                }
                else
                {
                    await log.WriteAsync(AuditActions.ChartViewed, new Actor($"w{w}", "Writer"), $"p{i}", cancellationToken: Ct);
                }
            }
        }, Ct)).ToList();
        go.Set();
        await Task.WhenAll(tasks);

        var report = await Verifier(_db).VerifyAsync(Ct);

        Assert.True(report.Intact, report.Summary);
        Assert.Equal(writers * each, report.RowsChecked);
        Assert.Equal(writers * each, report.HeadSequence);
    }

    [Fact]
    public async Task Retention_removes_a_checkpointed_prefix_and_the_chain_still_verifies()
    {
        await WriteAsync(6);
        _clock.Advance(TimeSpan.FromDays(300));
        await WriteAsync(3);
        var options = new AuditOptions { RetentionDays = 200 };
        var retention = new AuditRetentionService(_db, new StaticMonitor(options), new AuditLog(_db, _clock), Verifier(_db), _clock, NullLogger<AuditRetentionService>.Instance);

        Assert.Equal(6, await retention.PurgeAsync(Ct));

        var report = await Verifier(_db).VerifyAsync(Ct);
        Assert.True(report.Intact, report.Summary);
        Assert.Equal((7L, 10L), (report.FirstSequence!.Value, report.HeadSequence!.Value));
        await using (var db = _db.CreateDbContext())
        {
            var checkpoint = await db.AuditEvents.SingleAsync(a => a.Action == AuditActions.AuditPurged, Ct);
            Assert.Equal(6, checkpoint.PurgedThrough);
            Assert.Contains("removed=6 older_than_days=200 through_sequence=6 through_hash=", checkpoint.Details, StringComparison.Ordinal);
        }

        // A later purge of the checkpoint's own era works the same way; the trigger still refuses rows no checkpoint covers.
        await Assert.ThrowsAsync<SqliteException>(() => _db.ExecuteSqlAsync("""DELETE FROM "AuditEvents" WHERE "Sequence" = 7;"""));
        _clock.Advance(TimeSpan.FromDays(300));
        await WriteAsync(1);
        Assert.Equal(4, await retention.PurgeAsync(Ct));
        Assert.True((await Verifier(_db).VerifyAsync(Ct)).Intact);

        // Removing the oldest remaining rows outside the purge (in a copy) is named: the start no checkpoint explains.
        var copy = await TamperedCopyAsync("""DELETE FROM "AuditEvents" WHERE "Sequence" = (SELECT MIN("Sequence") FROM "AuditEvents");""");
        var broken = await Verifier(copy).VerifyAsync(Ct);
        Assert.Equal(AuditChainBreakKind.Deleted, broken.Break!.Kind);
        Assert.Contains("no retention checkpoint", broken.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_does_not_remove_rows_from_a_broken_chain()
    {
        await WriteAsync(4);
        _clock.Advance(TimeSpan.FromDays(300));
        var copy = await TamperedCopyAsync("""
            UPDATE "AuditEvents" SET "Details" = 'n=99' WHERE "Sequence" = 2;
            CREATE TRIGGER "AuditEvents_NoUpdate" BEFORE UPDATE ON "AuditEvents" BEGIN SELECT RAISE(ABORT, 'append-only'); END;
            """);
        var retention = new AuditRetentionService(copy, new StaticMonitor(new AuditOptions { RetentionDays = 200 }), new AuditLog(copy, _clock), Verifier(copy), _clock, NullLogger<AuditRetentionService>.Instance);

        Assert.Equal(0, await retention.PurgeAsync(Ct));

        await using var db = copy.CreateDbContext();
        Assert.Equal(4, await db.AuditEvents.CountAsync(Ct));
    }

    [Fact]
    public async Task Rows_from_before_the_chain_are_anchored_by_the_first_chained_row_and_a_later_change_to_them_is_named()
    {
        // The database as it was before the chain: the previous migration, rows written then.
        await using (var db = _db.CreateDbContext())
        {
            var migrator = db.GetService<IMigrator>();
            var migrations = db.Database.GetMigrations().ToList();
            await migrator.MigrateAsync(migrations[migrations.FindIndex(m => m.EndsWith("_AuditHashChain", StringComparison.Ordinal)) - 1], Ct);
        }
        var at = new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter().ConvertToProvider(_clock.GetUtcNow().AddDays(-30));
        await _db.ExecuteSqlAsync($"""
            INSERT INTO "AuditEvents" ("At", "Action", "UserId", "UserName", "PatientId", "Outcome", "Details") VALUES
                ({at}, 'user.signed-in', 'u1', 'Dr One', NULL, 'success', NULL),
                ({at}, 'chart.viewed', 'u1', 'Dr One', 'p1', 'success', NULL),
                ({at}, 'draft.signed', 'u1', 'Dr One', 'p1', 'success', 'distance=3');
            """);
        await using (var db = _db.CreateDbContext())
        {
            await db.Database.MigrateAsync(Ct);
            Assert.Equal([1L, 2L, 3L], await db.AuditEvents.OrderBy(a => a.Id).Select(a => a.Sequence).ToListAsync(Ct));
        }

        await WriteAsync(2);

        await using (var db = _db.CreateDbContext())
        {
            var anchor = await db.AuditEvents.SingleAsync(a => a.Action == AuditChain.AnchorAction, Ct);
            Assert.Equal(4, anchor.Sequence);
            Assert.Equal("legacy_rows=3 legacy_through_sequence=3", anchor.Details);
        }
        var report = await Verifier(_db).VerifyAsync(Ct);
        Assert.True(report.Intact, report.Summary);
        Assert.Equal(6, report.RowsChecked);

        var copy = await TamperedCopyAsync("""UPDATE "AuditEvents" SET "Details" = 'distance=0' WHERE "Sequence" = 3;""");
        var broken = await Verifier(copy).VerifyAsync(Ct);
        Assert.Equal((4L, AuditChainBreakKind.LegacyChanged), (broken.Break!.Sequence, broken.Break.Kind));
        Assert.Contains("written before the chain began (sequence 1–3)", broken.Summary, StringComparison.Ordinal);
    }

    private sealed class StaticMonitor(AuditOptions value) : IOptionsMonitor<AuditOptions>
    {
        public AuditOptions CurrentValue => value;
        public AuditOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<AuditOptions, string?> listener) => null;
    }
}

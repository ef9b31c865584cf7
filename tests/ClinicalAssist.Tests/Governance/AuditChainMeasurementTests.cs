using System.Diagnostics;
using System.Globalization;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Governance;

namespace ClinicalAssist.Tests.Governance;

/// <summary>
/// Figures for docs/reliability.md: the time to seal and to verify N audit rows on SQLite, and each tampering case
/// found at its row in a copy of that database. Runs only when CLINICALASSIST_AUDIT_CHAIN_ROWS is set (e.g. 100000):
/// <c>CLINICALASSIST_AUDIT_CHAIN_ROWS=100000 dotnet test tests/ClinicalAssist.Tests --filter "FullyQualifiedName~AuditChainMeasurementTests"</c>.
/// Writes artifacts/audit/chain-measurement.md.
/// </summary>
public sealed class AuditChainMeasurementTests
{
    public const string RowsVariable = "CLINICALASSIST_AUDIT_CHAIN_ROWS";

    public static bool Enabled => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(RowsVariable));

    [Fact(Skip = "Measurement: set CLINICALASSIST_AUDIT_CHAIN_ROWS (e.g. 100000) to run it (docs/reliability.md).", SkipUnless = nameof(Enabled))]
    public async Task Seal_and_verify_N_rows_and_find_each_tampering()
    {
        var ct = TestContext.Current.CancellationToken;
        var rows = int.Parse(Environment.GetEnvironmentVariable(RowsVariable)!, CultureInfo.InvariantCulture);
        var load = File.ReadAllText("/proc/loadavg").Trim();
        await using var database = await TestDatabase.CreateAsync();
        var log = new AuditLog(database, TimeProvider.System);

        var write = Stopwatch.StartNew();
        for (var written = 0; written < rows; written += 1000)
        {
            await using var db = database.CreateDbContext();
            for (var i = written; i < Math.Min(rows, written + 1000); i++)
            {
                db.AuditEvents.Add(log.Create(i % 3 == 0 ? AuditActions.DraftSigned : AuditActions.ChartViewed, new Actor("u1", "Dr One"), $"patient-{i % 500}",
                    i % 3 == 0 ? Guid.NewGuid() : null, details: i % 3 == 0 ? "distance=12 attested=true" : null));
            }
            await db.SaveChangesAsync(ct);
        }
        write.Stop();
        var single = Stopwatch.StartNew();
        for (var i = 0; i < 200; i++) await log.WriteAsync(AuditActions.ChartViewed, new Actor("u1", "Dr One"), "patient-1", cancellationToken: ct);
        single.Stop();
        rows += 200;

        var verifier = new AuditChainVerifier(database, TimeProvider.System);
        var intact = await verifier.VerifyAsync(ct);
        Assert.True(intact.Intact, intact.Summary);
        Assert.Equal(rows, intact.RowsChecked);

        var middle = rows / 2;
        string rehashed;
        await using (var db = database.CreateDbContext())
        {
            var row = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.AuditEvents, a => a.Sequence == middle, ct);
            row.Outcome = "failure";
            rehashed = AuditChain.ComputeHash(row, row.PreviousHash!);
        }
        var cases = new (string Name, string Sql, long Sequence, AuditChainBreakKind Kind)[]
        {
            ("field edited (user name)", $"""UPDATE "AuditEvents" SET "UserName" = 'x' WHERE "Sequence" = {middle};""", middle, AuditChainBreakKind.Edited),
            ("row deleted", $"""DELETE FROM "AuditEvents" WHERE "Sequence" = {middle};""", middle + 1, AuditChainBreakKind.Deleted),
            ("row deleted, later rows renumbered", $"""DELETE FROM "AuditEvents" WHERE "Sequence" = {middle}; UPDATE "AuditEvents" SET "Sequence" = "Sequence" - 1 WHERE "Sequence" > {middle};""", middle, AuditChainBreakKind.Relinked),
            ("two rows swapped", $"""UPDATE "AuditEvents" SET "Sequence" = -1 WHERE "Sequence" = {middle}; UPDATE "AuditEvents" SET "Sequence" = {middle} WHERE "Sequence" = {middle + 1}; UPDATE "AuditEvents" SET "Sequence" = {middle + 1} WHERE "Sequence" = -1;""", middle, AuditChainBreakKind.Relinked),
            ("hash removed", $"""UPDATE "AuditEvents" SET "Hash" = NULL WHERE "Sequence" = {middle};""", middle, AuditChainBreakKind.Unsealed),
            ("first rows deleted (no checkpoint)", """DELETE FROM "AuditEvents" WHERE "Sequence" <= 10;""", 11, AuditChainBreakKind.Deleted),
            ("edited and its own hash recomputed", $"""UPDATE "AuditEvents" SET "Outcome" = 'failure', "Hash" = '{rehashed}' WHERE "Sequence" = {middle};""", middle + 1, AuditChainBreakKind.Relinked),
        };
        var lines = new List<string>
        {
            $"Load average at start: {load}",
            "",
            "| Measure | Value |",
            "|---|---|",
            $"| Rows | {rows:N0} |",
            $"| Write, 1,000 rows per save | {write.Elapsed.TotalSeconds:0.0} s ({rows / write.Elapsed.TotalSeconds:N0} rows/s) |",
            $"| Write, one row per save (200) | {single.Elapsed.TotalMilliseconds / 200:0.0} ms per row |",
            $"| Verify the whole chain | {intact.Elapsed.TotalSeconds:0.00} s ({intact.RowsChecked / intact.Elapsed.TotalSeconds:N0} rows/s) |",
            "",
            "| Tampering (on a copy, triggers dropped) | Reported at | As | Time to report |",
            "|---|---|---|---|",
        };
        foreach (var (name, sql, sequence, kind) in cases)
        {
            await using var copy = await database.CopyAsync();
            await copy.ExecuteSqlAsync($"""DROP TRIGGER "{AuditChain.NoUpdateTrigger}"; DROP TRIGGER "{AuditChain.NoDeleteTrigger}"; {sql}""");
            var report = await new AuditChainVerifier(copy, TimeProvider.System).VerifyAsync(ct);
            Assert.Equal((sequence, kind), (report.Break?.Sequence ?? 0, report.Break?.Kind ?? default));
            lines.Add($"| {name} | sequence {report.Break!.Sequence:N0} | {report.Break.Kind} | {report.Elapsed.TotalSeconds:0.00} s |");
        }

        var directory = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "artifacts", "audit");
        Directory.CreateDirectory(directory);
        await File.WriteAllLinesAsync(Path.Combine(directory, "chain-measurement.md"), lines, ct);
        TestContext.Current.SendDiagnosticMessage(string.Join('\n', lines));
    }
}

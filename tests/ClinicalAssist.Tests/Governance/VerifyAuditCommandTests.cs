using System.Diagnostics;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Governance;

namespace ClinicalAssist.Tests.Governance;

/// <summary>The real app process run as <c>ClinicalAssist.Web verify-audit</c> against a database file: one line on
/// standard output, exit code 0 for an intact chain and 1 for a broken one (naming the row).</summary>
public sealed class VerifyAuditCommandTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(string connectionString)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ClinicalAssist.Web.dll"));
        start.ArgumentList.Add(VerifyAuditCommand.Name);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__ClinicalAssist"] = connectionString;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(Patience.Long);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("verify-audit did not finish: " + await stdout);
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Exit_code_0_for_an_intact_chain_and_1_naming_the_row_for_a_broken_one()
    {
        var log = new AuditLog(_db, TimeProvider.System);
        for (var i = 0; i < 4; i++) await log.WriteAsync(AuditActions.ChartViewed, new Actor("u1", "Dr One"), $"p{i}", cancellationToken: Ct);

        var intact = await RunAsync(_db.ConnectionString);
        Assert.Equal(0, intact.ExitCode);
        var line = Assert.Single(intact.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Audit chain intact: 4 row(s), sequence 1–4", line, StringComparison.Ordinal);
        Assert.Equal("", intact.StdErr.Trim());

        await _db.ExecuteSqlAsync($"""
            DROP TRIGGER "{AuditChain.NoDeleteTrigger}";
            DELETE FROM "AuditEvents" WHERE "Sequence" = 2;
            """);
        var broken = await RunAsync(_db.ConnectionString);
        Assert.Equal(1, broken.ExitCode);
        line = Assert.Single(broken.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Audit chain BROKEN at sequence 3", line, StringComparison.Ordinal);
        Assert.Contains("sequence 2 before it is missing", line, StringComparison.Ordinal);
    }
}

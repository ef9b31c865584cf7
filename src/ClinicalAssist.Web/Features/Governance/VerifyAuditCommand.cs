using ClinicalAssist.Data;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>
/// <c>dotnet run --project src/ClinicalAssist.Web -- verify-audit</c> (or <c>ClinicalAssist.Web verify-audit</c>):
/// verifies the audit chain of the configured database without starting the web server, migrating or seeding, prints
/// one line and exits 0 when the chain is intact, 1 when it is broken or could not be read.
/// </summary>
public static class VerifyAuditCommand
{
    public const string Name = "verify-audit";

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Name;

    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output, CancellationToken ct)
    {
        var connection = services.GetRequiredService<Infrastructure.DatabaseConnection>();
        try
        {
            var report = await services.GetRequiredService<AuditChainVerifier>().VerifyAsync(ct);
            await output.WriteLineAsync(report.Summary);
            return report.Intact ? 0 : 1;
        }
        catch (Exception ex) when (ex is Microsoft.EntityFrameworkCore.DbUpdateException or System.Data.Common.DbException or InvalidOperationException)
        {
            var where = Infrastructure.DatabaseStartupFailure.Where(connection.Provider, connection.ConnectionString);
            await output.WriteLineAsync($"Audit chain NOT VERIFIED: the audit table of {where} could not be read ({ex.GetType().Name}). Check the connection string and that the database is migrated.");
            return 1;
        }
    }
}

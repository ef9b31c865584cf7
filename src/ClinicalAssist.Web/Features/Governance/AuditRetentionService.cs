using System.Globalization;
using System.Text;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>Once a day, deletes audit events older than the configured retention (off by default). The only code
/// that removes audit rows; it records what it removed as an audit event of its own.</summary>
public sealed class AuditRetentionService(
    IDbContextFactory<AppDbContext> dbFactory, Microsoft.Extensions.Options.IOptionsMonitor<AuditOptions> options,
    AuditLog audit, TimeProvider time, ILogger<AuditRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromDays(1), time);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Audit retention purge failed; it will run again tomorrow.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        if (options.CurrentValue.RetentionDays is not { } days) return 0;
        var cutoff = time.GetUtcNow().AddDays(-days);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var removed = await db.AuditEvents.Where(a => a.At < cutoff).ExecuteDeleteAsync(ct);
        if (removed > 0)
        {
            logger.LogInformation("Audit retention removed {Count} event(s) older than {Days} days.", removed, days);
            await audit.WriteAsync(AuditActions.AuditPurged, actor: null, details: string.Create(CultureInfo.InvariantCulture, $"removed={removed} older_than_days={days}"), cancellationToken: ct);
        }
        return removed;
    }
}

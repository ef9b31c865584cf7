using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>Takes over (marks Interrupted) the drafts of instances that stopped, every third of a lease.</summary>
public sealed class InterruptedDraftSweeper(
    IDbContextFactory<AppDbContext> dbFactory, AuditLog audit, IOptions<WorkLeaseOptions> leases, TimeProvider time, ILogger<InterruptedDraftSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(leases.Value.RenewEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var db = await dbFactory.CreateDbContextAsync(stoppingToken);
                    await InterruptedDrafts.MarkAsync(db, audit, logger, time.GetUtcNow(), leases.Value.Duration, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning("Could not check for drafts left by a stopped instance ({Fault}); tried again shortly.", ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}

using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>The hosted worker: resumes interrupted batches on start, then runs batches as they are started.</summary>
public sealed class RoundsWorker(RoundsBatchRunner runner, RoundsSignals signals, IOptions<RoundsOptions> options, IConfiguration configuration,
    ILogger<RoundsWorker> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        RoundsOptions.WarnAboutRemovedSettings(configuration, logger);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        try
        {
            await runner.ResumeAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Interrupted rounds batches could not be resumed; they are retried at the next poll.");
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Items another instance left when it stopped (its leases ran out) are taken over here.
                await runner.ResumeAsync(stoppingToken, atStart: false);
                await runner.RunPendingAsync(stoppingToken);
                await signals.WaitForWorkAsync(TimeSpan.FromSeconds(options.Value.PollSeconds), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "The rounds worker failed; it tries again shortly.");
                try { await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken); } catch (OperationCanceledException) { return; }
            }
        }
    }
}

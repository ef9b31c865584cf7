using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Renews this instance's work leases every third of the lease while the process lives, and releases them on a
/// clean shutdown. A killed process stops renewing, so its leases run out and another instance takes the work over.</summary>
public sealed partial class WorkLeaseKeeper(WorkLeases leases, IOptions<WorkLeaseOptions> options, TimeProvider time, ILogger<WorkLeaseKeeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RenewEvery, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await leases.RenewOwnAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogRenewFailed(logger, ex.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await leases.ReleaseOwnAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRenewFailed(logger, ex.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew or release this instance's work leases ({Fault}); another instance may take its work over when they run out.")]
    private static partial void LogRenewFailed(ILogger logger, string fault);
}

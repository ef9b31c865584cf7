using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>The hosted worker: runs the cases of running evaluation runs as they are started, and on start (or every
/// <see cref="ValidationOptions.PollSeconds"/>) the ones a stopped instance left.</summary>
public sealed partial class EvaluationWorker(EvaluationRunner runner, EvaluationSignals signals, IOptions<ValidationOptions> options, ILogger<EvaluationWorker> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await runner.RunPendingAsync(stoppingToken);
                await signals.WaitForWorkAsync(TimeSpan.FromSeconds(options.Value.PollSeconds), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed(logger, ex.GetType().Name);
                try { await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken); } catch (OperationCanceledException) { return; }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The evaluation worker failed ({Fault}); it tries again shortly.")]
    private static partial void LogFailed(ILogger logger, string fault);
}

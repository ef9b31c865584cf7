using System.Collections.Concurrent;

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>In-process signals between the validation pages and the worker: "there is work", "run X changed" (the
/// page reloads), and Stop for a run's cases in flight.</summary>
public sealed class EvaluationSignals
{
    private readonly SemaphoreSlim _work = new(0);
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _runs = new();

    /// <summary>Raised (on a worker thread) whenever a run or one of its cases changed.</summary>
    public event Action<Guid>? Changed;

    public void Publish(Guid runId) => Changed?.Invoke(runId);

    public void Wake()
    {
        if (_work.CurrentCount == 0) _work.Release();
    }

    public Task<bool> WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken) => _work.WaitAsync(timeout, cancellationToken);

    public CancellationToken TokenFor(Guid runId) => _runs.GetOrAdd(runId, _ => new CancellationTokenSource()).Token;

    /// <summary>Cancels the run's cases in flight; the cancelled token is kept so a case claimed just before is
    /// cancelled too, until the run is resumed (<see cref="Forget"/>).</summary>
    public void Stop(Guid runId) => _runs.GetOrAdd(runId, _ => new CancellationTokenSource()).Cancel();

    public void Forget(Guid runId)
    {
        if (_runs.TryRemove(runId, out var cts)) cts.Dispose();
    }
}

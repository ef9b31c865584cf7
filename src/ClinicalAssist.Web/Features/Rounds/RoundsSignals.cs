using System.Collections.Concurrent;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>In-process signals between the pages and the worker: "there is work", "batch X changed" (the page
/// reloads), and the cancellation of a batch's running drafts. What other instances do reaches them through
/// <see cref="RoundsBatchWatcher"/>.</summary>
public sealed class RoundsSignals
{
    private readonly SemaphoreSlim _work = new(0);
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _batches = new();

    /// <summary>Raised (on a worker thread) whenever a batch or one of its items changed.</summary>
    public event Action<Guid>? Changed;

    public void Publish(Guid batchId) => Changed?.Invoke(batchId);

    public void Wake()
    {
        if (_work.CurrentCount == 0) _work.Release();
    }

    public Task<bool> WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken) => _work.WaitAsync(timeout, cancellationToken);

    public CancellationToken TokenFor(Guid batchId) => _batches.GetOrAdd(batchId, _ => new CancellationTokenSource()).Token;

    /// <summary>Cancels the batch's running patients. The cancelled token is kept (until <see cref="ForgetCancelled"/>
    /// or <see cref="Forget"/>): a patient claimed just before the cancel but started just after it asks for the token
    /// after this, and must get a cancelled one, not a fresh one that would let it run on.</summary>
    public void CancelBatch(Guid batchId) => _batches.GetOrAdd(batchId, _ => new CancellationTokenSource()).Cancel();

    /// <summary>The batches whose patients may be running on this instance (a token handed out, not cancelled).</summary>
    public IReadOnlySet<Guid> RunningHere() =>
        _batches.Where(b => !b.Value.IsCancellationRequested).Select(b => b.Key).ToHashSet();

    /// <summary>Drops the batch's token (finished, or about to run again after a retry).</summary>
    public void Forget(Guid batchId)
    {
        if (_batches.TryRemove(batchId, out var cts)) cts.Dispose();
    }

    /// <summary>Drops the tokens of cancelled batches; called when nothing is running any more.</summary>
    public void ForgetCancelled()
    {
        foreach (var (batchId, cts) in _batches)
        {
            if (cts.IsCancellationRequested && _batches.TryRemove(KeyValuePair.Create(batchId, cts)))
            {
                cts.Dispose();
            }
        }
    }
}

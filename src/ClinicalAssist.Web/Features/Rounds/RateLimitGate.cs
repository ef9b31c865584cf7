using ClinicalAssist.Web.Features.Drafting;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>
/// One pace for the whole batch: when any model call is rate-limited (429), the gate closes for the service's
/// Retry-After (else an exponential back-off) and every worker waits at the gate before its next call.
/// </summary>
public sealed class RateLimitGate(IOptions<RoundsOptions> options, TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _calls = new(options.Value.MaxConcurrency, options.Value.MaxConcurrency);

    /// <summary>Takes one of the <see cref="RoundsOptions.MaxConcurrency"/> model-call slots (shared by every batch).</summary>
    public Task EnterCallAsync(CancellationToken cancellationToken) => _calls.WaitAsync(cancellationToken);

    public void ExitCall() => _calls.Release();
    private DateTimeOffset _openAt = DateTimeOffset.MinValue;
    private int _consecutive;
    private long _closures;

    /// <summary>How many times a 429 closed the gate (for the page and the benchmark).</summary>
    public long Closures => Interlocked.Read(ref _closures);

    /// <summary>When the gate opens again (in the past when open).</summary>
    public DateTimeOffset OpenAt { get { lock (_lock) return _openAt; } }

    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_lock) wait = _openAt - time.GetUtcNow();
            if (wait <= TimeSpan.Zero) return;
            await Task.Delay(wait, time, cancellationToken);
        }
    }

    /// <summary>A call was rate-limited: close the gate for <paramref name="retryAfter"/> or the back-off.</summary>
    public TimeSpan Close(TimeSpan? retryAfter)
    {
        var o = options.Value;
        lock (_lock)
        {
            _consecutive++;
            var backoff = TimeSpan.FromSeconds(Math.Min(o.MaxBackoffSeconds, o.BackoffSeconds * Math.Pow(2, Math.Min(_consecutive - 1, 16))));
            var wait = retryAfter is { } ra && ra > TimeSpan.Zero ? TimeSpan.FromSeconds(Math.Min(ra.TotalSeconds, o.MaxBackoffSeconds)) : backoff;
            var until = time.GetUtcNow() + wait;
            if (until > _openAt) _openAt = until;
            Interlocked.Increment(ref _closures);
            return wait;
        }
    }

    /// <summary>A call went through: the next 429 starts the back-off from the beginning.</summary>
    public void Succeeded()
    {
        lock (_lock) _consecutive = 0;
    }
}

/// <summary>Wraps the active drafter for a batch: waits at the <see cref="RateLimitGate"/> and for a model-call slot
/// before each call and, when the call is rate-limited before any text arrived, closes the gate and tries again —
/// pacing never fails a draft.</summary>
public sealed class PacedDraftModel(IDraftModel inner, RateLimitGate gate) : IDraftModel
{
    public string DisplayName => inner.DisplayName;
    public bool IsAi => inner.IsAi;
    public string ModelId => inner.ModelId;

    /// <summary>Rate-limited answers waited out for this draft.</summary>
    public int RateLimited { get; private set; }

    public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (true)
        {
            await gate.WaitAsync(cancellationToken);
            await gate.EnterCallAsync(cancellationToken);
            var holding = true;
            var enumerator = inner.StreamAsync(request, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                bool hasFirst;
                try
                {
                    hasFirst = await enumerator.MoveNextAsync();
                }
                catch (DraftModelException ex) when (ex.Status == 429)
                {
                    RateLimited++;
                    gate.Close(ex.RetryAfter);
                    gate.ExitCall();
                    holding = false;
                    continue;
                }
                gate.Succeeded();
                if (!hasFirst) yield break;
                yield return enumerator.Current;
                while (await enumerator.MoveNextAsync()) yield return enumerator.Current;
                yield break;
            }
            finally
            {
                // The slot is free as soon as the answer has arrived: verification and storing run outside it.
                if (holding) gate.ExitCall();
                await enumerator.DisposeAsync();
            }
        }
    }
}

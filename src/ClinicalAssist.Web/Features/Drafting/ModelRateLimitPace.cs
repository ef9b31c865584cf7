namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>One pace for every call to a model deployment (see <see cref="DraftModelFactory.PaceFor"/>): a 429 closes it
/// until the service's Retry-After has passed, and every caller — a clinician's draft or any of rounds' workers — waits
/// before sending. It holds only the time it opens again, no state of any request.</summary>
public sealed class ModelRateLimitPace
{
    private readonly Lock _lock = new();
    private DateTimeOffset _openAt = DateTimeOffset.MinValue;

    /// <summary>When calls may be sent again (in the past when open).</summary>
    public DateTimeOffset OpenAt { get { lock (_lock) return _openAt; } }

    public void Close(TimeSpan wait, TimeProvider time)
    {
        if (wait > ModelRetryChatClient.MaxDelay) wait = ModelRetryChatClient.MaxDelay;
        var until = time.GetUtcNow() + wait;
        lock (_lock) if (until > _openAt) _openAt = until;
    }

    public async Task WaitAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        while (OpenAt - time.GetUtcNow() is { Ticks: > 0 } wait)
        {
            await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
        }
    }
}

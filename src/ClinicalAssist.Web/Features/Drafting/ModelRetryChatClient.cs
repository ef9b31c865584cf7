using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The pipeline's one retry layer (the provider SDKs' own retries are off) and its rate-limit pacing. A call that
/// fails before any text arrived with 408, 429, 5xx or a transport error is tried again, up to
/// <c>maxRetries</c> times, after the service's Retry-After (retry-after-ms or Retry-After) or else an exponential
/// back-off. A 429 also closes the deployment's shared <see cref="ModelRateLimitPace"/> for that long, so every other
/// call to the same deployment waits before it is sent instead of adding to the overload. Once text has streamed,
/// nothing is retried (the clinician already sees it). Nothing else in the product calls a model again: rounds'
/// workers record a failed draft for the clinician to retry.
/// </summary>
public sealed class ModelRetryChatClient(IChatClient inner, int maxRetries, TimeSpan baseDelay, ModelRateLimitPace pace, TimeProvider time)
    : DelegatingChatClient(inner)
{
    /// <summary>Longest wait between two attempts, whatever the service asks.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            await pace.WaitAsync(time, cancellationToken).ConfigureAwait(false);
            try
            {
                return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (DelayBeforeRetry(ex, attempt, cancellationToken) is { } delay)
            {
                await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var attempt = 0; ; attempt++)
        {
            await pace.WaitAsync(time, cancellationToken).ConfigureAwait(false);
            var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
            try
            {
                bool first;
                TimeSpan? retryIn = null;
                try
                {
                    first = await updates.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (DelayBeforeRetry(ex, attempt, cancellationToken) is { } delay)
                {
                    first = false;
                    retryIn = delay;
                }
                if (retryIn is { } wait)
                {
                    await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                if (!first) yield break;
                yield return updates.Current;
                while (await updates.MoveNextAsync().ConfigureAwait(false)) yield return updates.Current;
                yield break;
            }
            finally
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>How long to wait before trying again, or null when the failure is final.</summary>
    private TimeSpan? DelayBeforeRetry(Exception ex, int attempt, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested) return null;
        if (ModelFailures.Describe(ex, time.GetUtcNow()) is not { Retryable: true } failure) return null;
        if (failure.Status == 429) pace.Close(failure.RetryAfter ?? Backoff(attempt), time);
        if (attempt >= maxRetries) return null;
        var delay = failure.RetryAfter ?? Backoff(attempt);
        return delay > MaxDelay ? MaxDelay : delay;
    }

    private TimeSpan Backoff(int attempt) => TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, baseDelay.Ticks * (1L << Math.Min(attempt, 16))));
}

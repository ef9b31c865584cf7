using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The pipeline's one retry layer (the provider SDKs' own retries are off) and its rate-limit pacing, right above the
/// provider. A call that fails before any text arrived with 408, 429, 5xx or a transport error is tried again, up to
/// <c>maxRetries</c> times, after the service's Retry-After (retry-after-ms or Retry-After) or else an exponential
/// back-off. A 429 also closes the deployment's shared <see cref="ModelRateLimitPace"/> for that long, so every other
/// call to the same deployment waits before it is sent instead of adding to the overload. Once text has streamed,
/// nothing is retried (the clinician already sees it). Nothing else in the product calls a model again: rounds'
/// workers record a failed draft for the clinician to retry. A failure leaves this layer as a
/// <see cref="ModelCallException"/> (status, error code, Retry-After — never the service's error text), so that the
/// OpenTelemetry span and the logs above carry no content the service may have echoed.
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
            catch (Exception ex) when (Describe(ex) is { } failure)
            {
                var delay = DelayBeforeRetry(failure, attempt, cancellationToken) ?? throw new ModelCallException(failure, ex);
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
            TimeSpan? retryIn = null;
            try
            {
                for (var streamed = false; ; streamed = true)
                {
                    try
                    {
                        if (!await updates.MoveNextAsync().ConfigureAwait(false)) yield break;
                    }
                    catch (Exception ex) when (Describe(ex) is { } failure)
                    {
                        retryIn = (streamed ? null : DelayBeforeRetry(failure, attempt, cancellationToken)) ?? throw new ModelCallException(failure, ex);
                        break;
                    }
                    yield return updates.Current;
                }
            }
            finally
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }
            await Task.Delay(retryIn.Value, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A service or transport failure (null for the caller's cancellation and anything unknown).</summary>
    private ModelFailure? Describe(Exception ex) => ex is OperationCanceledException ? null : ModelFailures.Describe(ex, time.GetUtcNow());

    /// <summary>How long to wait before trying again, or null when the failure is final.</summary>
    private TimeSpan? DelayBeforeRetry(ModelFailure failure, int attempt, CancellationToken cancellationToken)
    {
        if (failure.Status == 429) pace.Close(failure.RetryAfter ?? Backoff(attempt), time);
        if (cancellationToken.IsCancellationRequested || !failure.Retryable || attempt >= maxRetries) return null;
        var delay = failure.RetryAfter ?? Backoff(attempt);
        return delay > MaxDelay ? MaxDelay : delay;
    }

    private TimeSpan Backoff(int attempt) => TimeSpan.FromTicks(Math.Min(MaxDelay.Ticks, baseDelay.Ticks * (1L << Math.Min(attempt, 16))));
}

using System.Globalization;
using System.Runtime.CompilerServices;
using ClinicalAssist.Data;
using Microsoft.Extensions.AI;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Drafts with a chat model through the product's one model seam, an <see cref="IChatClient"/> pipeline composed by
/// <see cref="DraftModelFactory"/> (telemetry, logging without content, one retry layer with rate-limit pacing, then
/// the provider: Foundry's OpenAI/v1 endpoint or Azure.AI.Inference). The request carries only the rendered prompt
/// (de-identified context) and the answer's JSON schema. This class streams the text, enforces the whole-call
/// deadline, records the model id and token usage the endpoint reported, and turns every failure into a
/// <see cref="DraftModelException"/> a clinician can act on. Logs carry status codes, timings and sizes — never text.
/// </summary>
public sealed partial class ChatClientDraftModel(IChatClient client, ModelOptions options, ModelRateLimitPace pace, ILogger<ChatClientDraftModel> logger, TimeProvider time)
    : IDraftModel, IDisposable
{
    /// <summary>How long to wait, after the answer finished, for the usage that may follow in a last chunk.</summary>
    public static readonly TimeSpan UsageGrace = TimeSpan.FromSeconds(2);

    private readonly string _deployment = options.Deployment
        ?? throw new InvalidOperationException("A model deployment is required for an AI drafter.");

    public string DisplayName => $"Azure AI Foundry · {_deployment} (AI-generated draft)";

    public bool IsAi => true;

    public string ModelId => _deployment;

    /// <summary>Which provider answers (FoundryOpenAI or AzureAIInference).</summary>
    public ModelProvider Provider => options.Provider;

    /// <summary>The deployment's shared 429 pace: closed until <see cref="ModelRateLimitPace.OpenAt"/> while the service
    /// asked callers to wait.</summary>
    public ModelRateLimitPace Pace => pace;

    /// <summary>The composed pipeline (for tests and diagnostics).</summary>
    public IChatClient Client => client;

    /// <summary>The request options every draft sends: deployment, sampling, length and the answer's JSON schema.</summary>
    public ChatOptions DraftOptions() => new()
    {
        ModelId = _deployment,
        Temperature = options.Temperature,
        MaxOutputTokens = options.MaxTokens,
        TopP = options.TopP,
        Seed = options.Seed,
        ResponseFormat = ChatResponseFormat.ForJsonSchema(DraftAnswerSchema.Schema, DraftAnswerSchema.Name, DraftAnswerSchema.Description),
        // Strict structured output (Microsoft.Extensions.AI.OpenAI reads "strict"; Azure.AI.Inference is always strict here).
        AdditionalProperties = new() { ["strict"] = true },
    };

    /// <summary>
    /// A minimal non-streaming call ("Test connection" in admin): returns the model id the endpoint reports.
    /// Failures surface as <see cref="DraftModelException"/> with the same messages drafting uses.
    /// </summary>
    public async Task<string?> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await client.GetResponseAsync(
                [new ChatMessage(ChatRole.User, "Reply with the single word OK.")],
                new ChatOptions { ModelId = _deployment, MaxOutputTokens = 5 }, cancellationToken).ConfigureAwait(false);
            return response.ModelId ?? _deployment;
        }
        catch (Exception ex) when (Fail(ex, cancellationToken, default, received: 0) is { } translated)
        {
            throw translated;
        }
    }

    public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var started = time.GetTimestamp();
        // One deadline for the whole call (retries, waits for Retry-After and the streamed answer): a service that
        // keeps trickling text never keeps a clinician waiting longer than Model:TotalTimeoutSeconds.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.TotalTimeoutSeconds), time);
        // Until the first text arrives: a service that accepted the request and never starts answering is given up on
        // after Model:FirstTokenTimeoutSeconds (the timer is stopped by the first text).
        using var firstToken = new CancellationTokenSource();
        var firstTokenTimer = time.CreateTimer(static s => ((CancellationTokenSource)s!).Cancel(), firstToken,
            TimeSpan.FromSeconds(options.FirstTokenTimeoutSeconds), Timeout.InfiniteTimeSpan);
        using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token, firstToken.Token);
        // Cancelled a moment after the finish reason when the usage has not come by then.
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(call.Token);
        ChatMessage[] messages = [new(ChatRole.System, request.Prompt.System), new(ChatRole.User, request.Prompt.User)];

        var received = 0;
        ChatFinishReason? finish = null;
        var usageSeen = false;
        ITimer? grace = null;
        var updates = client.GetStreamingResponseAsync(messages, DraftOptions(), reading.Token).GetAsyncEnumerator(reading.Token);
        try
        {
            while (true)
            {
                bool hasNext;
                try
                {
                    hasNext = await updates.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception) when (finish is not null && !call.IsCancellationRequested)
                {
                    break; // the answer is complete; trailing usage is best effort
                }
                catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException("Drafting was cancelled.", ex, cancellationToken);
                }
                catch (Exception ex) when (received == 0 && firstToken.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    throw NoFirstToken(ex);
                }
                catch (Exception ex) when (Fail(ex, cancellationToken, deadline.Token, received) is { } translated)
                {
                    throw translated;
                }
                if (!hasNext) break;

                var update = updates.Current;
                if (!string.IsNullOrEmpty(update.ModelId)) request.Call.ReportedModelId ??= update.ModelId;
                foreach (var usage in update.Contents.OfType<UsageContent>())
                {
                    request.Call.PromptTokens = (int?)usage.Details.InputTokenCount;
                    request.Call.CompletionTokens = (int?)usage.Details.OutputTokenCount;
                    usageSeen = true;
                }
                if (finish is null && update.Text is { Length: > 0 } text)
                {
                    if (received == 0) firstTokenTimer.Dispose();
                    received += text.Length;
                    yield return text;
                }
                if (finish is null && update.FinishReason is { } reason)
                {
                    // The answer is complete: do not wait for "[DONE]" longer than the usage grace.
                    finish = reason;
                    grace = time.CreateTimer(static r => ((CancellationTokenSource)r!).Cancel(), reading, UsageGrace, Timeout.InfiniteTimeSpan);
                }
                if (finish is not null && usageSeen) break;
            }
        }
        finally
        {
            firstTokenTimer.Dispose();
            grace?.Dispose();
            await updates.DisposeAsync().ConfigureAwait(false);
        }

        // Some SDKs end the enumeration quietly when the token is cancelled: that is the caller's cancellation (or
        // the deadline), not a failure of the service.
        cancellationToken.ThrowIfCancellationRequested();
        if (received == 0 && firstToken.IsCancellationRequested && finish is null) throw NoFirstToken(innerException: null);
        if (deadline.IsCancellationRequested && finish is null) throw DeadlineExceeded(received, innerException: null);

        LogCompleted(logger, _deployment, finish?.Value ?? "none", received, (long)time.GetElapsedTime(started).TotalMilliseconds);
        if (finish is null)
        {
            LogFailed(logger, _deployment, 0, "cut", received);
            throw new DraftModelException(
                "The connection to the AI service was interrupted before the draft was complete, so the text received is incomplete. Try again.",
                retryable: true, errorCode: "cut");
        }
        if (finish == ChatFinishReason.ContentFilter)
        {
            throw new DraftModelException(
                "The AI service's content filter stopped the draft part-way, so it is incomplete. Write the summary yourself or use the offline draft.",
                retryable: false, errorCode: "content_filter");
        }
        if (finish == ChatFinishReason.Length)
        {
            throw new DraftModelException(
                "The draft reached the configured maximum length and was cut off, so it is incomplete. Ask an administrator to raise Model:MaxTokens, or use the offline draft.",
                retryable: false, errorCode: "length");
        }
    }

    public void Dispose() => client.Dispose();

    private DraftModelException DeadlineExceeded(int received, Exception? innerException)
    {
        LogFailed(logger, _deployment, 0, "deadline", received);
        return new DraftModelException(
            $"The AI service did not finish the draft within {options.TotalTimeoutSeconds} seconds{(received > 0 ? ", so the text received is incomplete" : "")}. Try again; if it keeps happening, use the offline draft.",
            retryable: true, errorCode: "deadline", innerException: innerException);
    }

    /// <summary>The model accepted the request but sent no text within Model:FirstTokenTimeoutSeconds.</summary>
    private DraftModelException NoFirstToken(Exception? innerException)
    {
        LogFailed(logger, _deployment, 0, "first-token-timeout", 0);
        return new DraftModelException(FirstTokenTimeoutMessage(options.FirstTokenTimeoutSeconds),
            retryable: true, errorCode: "first-token-timeout", innerException: innerException);
    }

    /// <summary>What the clinician reads when the model never started answering.</summary>
    public static string FirstTokenTimeoutMessage(int seconds) => string.Create(CultureInfo.InvariantCulture,
        $"The model did not start answering within {seconds} s. Your draft was not changed; try again or ask an admin to check the model configuration.");

    /// <summary>Maps a failure to a clinician-facing exception; null lets the caller's own cancellation through.</summary>
    private DraftModelException? Fail(Exception ex, CancellationToken cancellationToken, CancellationToken deadline, int received)
    {
        if (cancellationToken.IsCancellationRequested) return null;
        if (deadline.IsCancellationRequested) return DeadlineExceeded(received, ex);
        var translated = ModelFailures.Translate(ex, cancellationToken, received, options.TimeoutSeconds, time.GetUtcNow());
        if (translated is not null) LogFailed(logger, _deployment, translated.Status ?? 0, translated.ErrorCode ?? "", received);
        return translated;
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information,
        Message = "Model draft streamed from deployment {Deployment}: finish reason {FinishReason}, {Characters} characters in {ElapsedMs} ms")]
    private static partial void LogCompleted(ILogger logger, string deployment, string finishReason, int characters, long elapsedMs);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Model call to deployment {Deployment} failed: status {Status}, code {ErrorCode}, {Characters} characters received")]
    private static partial void LogFailed(ILogger logger, string deployment, int status, string errorCode, int characters);
}

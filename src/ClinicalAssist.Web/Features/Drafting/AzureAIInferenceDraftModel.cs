using System.Diagnostics;
using System.Runtime.CompilerServices;
using Azure;
using Azure.AI.Inference;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Drafts with a chat model deployed on Azure AI Foundry (Azure.AI.Inference, streaming). The request carries
/// only the rendered prompt (de-identified context). Failures become <see cref="DraftModelException"/> with a
/// message a clinician can act on. Logs carry status codes, timings and sizes — never prompt or draft text.
/// </summary>
public sealed partial class AzureAIInferenceDraftModel : IDraftModel
{
    private readonly ChatCompletionsClient _client;
    private readonly ModelOptions _options;
    private readonly ILogger<AzureAIInferenceDraftModel> _logger;

    /// <param name="options">Validated model options (Provider AzureAIInference).</param>
    /// <param name="logger">Logger (no content is logged).</param>
    /// <param name="tokenCredential">Entra ID credential, required when <see cref="ModelOptions.UseEntraId"/>.</param>
    /// <param name="configureClient">Adjusts the client options after they are set from <paramref name="options"/>
    /// (e.g. retry delays or a transport in tests).</param>
    public AzureAIInferenceDraftModel(
        ModelOptions options,
        ILogger<AzureAIInferenceDraftModel> logger,
        TokenCredential? tokenCredential = null,
        Action<AzureAIInferenceClientOptions>? configureClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        if (options.Endpoint is null || string.IsNullOrWhiteSpace(options.Deployment))
            throw new InvalidOperationException("Model:Endpoint and Model:Deployment are required for the Azure AI Inference drafter.");

        _options = options;
        _logger = logger;

        var clientOptions = new AzureAIInferenceClientOptions();
        clientOptions.Retry.MaxRetries = options.MaxRetries;
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Diagnostics.IsLoggingContentEnabled = false;
        clientOptions.Diagnostics.IsLoggingEnabled = false;
        clientOptions.AddPolicy(new EndOfStreamGuardPolicy(), HttpPipelinePosition.PerRetry);
        clientOptions.Transport = new HttpClientTransport(new SocketsHttpHandler
        {
            ConnectTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            // A cancelled draft closes its connection at once instead of draining the rest of the answer.
            ResponseDrainTimeout = TimeSpan.Zero,
            MaxResponseDrainSize = 0,
        });

        if (options.UseEntraId)
        {
            var credential = tokenCredential
                ?? throw new InvalidOperationException("Model:UseEntraId is set but no Entra ID credential was supplied.");
            // The library's default token scope is Azure ML's; AI Foundry / AI services endpoints need cognitive services.
            clientOptions.AddPolicy(new BearerTokenAuthenticationPolicy(credential, options.EntraIdScope), HttpPipelinePosition.PerRetry);
            configureClient?.Invoke(clientOptions);
            _client = new ChatCompletionsClient(options.Endpoint, credential, clientOptions);
        }
        else
        {
            if (string.IsNullOrWhiteSpace(options.ApiKey))
                throw new InvalidOperationException("Model:ApiKey is required unless Model:UseEntraId is set.");
            configureClient?.Invoke(clientOptions);
            _client = new ChatCompletionsClient(options.Endpoint, new AzureKeyCredential(options.ApiKey), clientOptions);
        }
    }

    public string DisplayName => $"Azure AI Foundry · {_options.Deployment} (AI-generated draft)";

    public bool IsAi => true;

    public string ModelId => _options.Deployment!;

    /// <summary>
    /// A minimal non-streaming call ("Test connection" in admin): returns the model id the endpoint reports.
    /// Failures surface as <see cref="DraftModelException"/> with the same messages drafting uses.
    /// </summary>
    public async Task<string?> PingAsync(CancellationToken cancellationToken)
    {
        var chatOptions = new ChatCompletionsOptions
        {
            Messages = { new ChatRequestUserMessage("Reply with the single word OK.") },
            Model = _options.Deployment,
            MaxTokens = 5,
        };
        try
        {
            var response = await _client.CompleteAsync(chatOptions, cancellationToken).ConfigureAwait(false);
            return response.Value.Model;
        }
        catch (Exception ex) when (Translate(ex, cancellationToken, received: 0) is { } translated)
        {
            throw translated;
        }
    }

    public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var chatOptions = new ChatCompletionsOptions
        {
            Messages =
            {
                new ChatRequestSystemMessage(request.Prompt.System),
                new ChatRequestUserMessage(request.Prompt.User),
            },
            Model = _options.Deployment,
            Temperature = _options.Temperature,
            MaxTokens = _options.MaxTokens,
            NucleusSamplingFactor = _options.TopP,
            Seed = _options.Seed,
            ResponseFormat = ChatCompletionsResponseFormat.CreateJsonFormat(
                DraftAnswerSchema.Name, DraftAnswerSchema.AsDictionary(), "Cited clinical summary", true),
        };

        var started = Stopwatch.GetTimestamp();
        // One deadline for the whole call (retries, waits for Retry-After and the streamed answer): a service that
        // keeps trickling text never keeps a clinician waiting longer than Model:TotalTimeoutSeconds.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(_options.TotalTimeoutSeconds));
        var token = deadline.Token;
        StreamingResponse<StreamingChatCompletionsUpdate> response;
        try
        {
            response = await _client.CompleteStreamingAsync(chatOptions, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(ex, cancellationToken, received: 0, token) is { } translated)
        {
            throw translated;
        }

        var received = 0;
        CompletionsFinishReason? finishReason = null;
        using (response)
        // The library reads the body without the token; closing the response is what stops a pending read.
        using (token.Register(static r => ((IDisposable)r!).Dispose(), response))
        {
            var updates = ((IAsyncEnumerable<StreamingChatCompletionsUpdate>)response).GetAsyncEnumerator(token);
            try
            {
                while (true)
                {
                    bool hasNext;
                    try
                    {
                        hasNext = await updates.MoveNextAsync().ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
                    {
                        throw new OperationCanceledException("Drafting was cancelled.", ex, cancellationToken);
                    }
                    catch (Exception ex) when (Translate(ex, cancellationToken, received, token) is { } translated)
                    {
                        throw translated;
                    }
                    if (!hasNext) break;

                    var update = updates.Current;
                    if (!string.IsNullOrEmpty(update.Model)) request.Call.ReportedModelId ??= update.Model;
                    if (update.Usage is { } usage)
                    {
                        request.Call.PromptTokens = usage.PromptTokens;
                        request.Call.CompletionTokens = usage.CompletionTokens;
                    }
                    if (!string.IsNullOrEmpty(update.ContentUpdate))
                    {
                        received += update.ContentUpdate.Length;
                        yield return update.ContentUpdate;
                    }
                    if (update.FinishReason is { } reason)
                    {
                        // The answer is complete; do not wait for "[DONE]" (a service that omits it would otherwise
                        // leave the library reading at end of stream).
                        finishReason = reason;
                        if (request.Call.PromptTokens is null) await ReadTrailingUsageAsync(updates, response, request.Call).ConfigureAwait(false);
                        break;
                    }
                }
            }
            finally
            {
                await updates.DisposeAsync().ConfigureAwait(false);
            }
        }

        // The library ends the enumeration quietly when the token is cancelled: that is the caller's cancellation,
        // not a failure of the service.
        cancellationToken.ThrowIfCancellationRequested();
        if (token.IsCancellationRequested) throw DeadlineExceeded(received, innerException: null);

        var elapsed = Stopwatch.GetElapsedTime(started);
        LogCompleted(_logger, _options.Deployment!, finishReason?.ToString() ?? "none", received, (long)elapsed.TotalMilliseconds);

        if (finishReason is null)
        {
            throw new DraftModelException(
                "The connection to the AI service ended before the draft was complete, so the text received is incomplete. Try again.",
                retryable: true);
        }
        if (finishReason == CompletionsFinishReason.ContentFiltered)
        {
            throw new DraftModelException(
                "The AI service's content filter stopped the draft part-way, so it is incomplete. Write the summary yourself or use the offline draft.",
                retryable: false, errorCode: "content_filter");
        }
        if (finishReason == CompletionsFinishReason.TokenLimitReached)
        {
            throw new DraftModelException(
                "The draft reached the configured maximum length and was cut off, so it is incomplete. Ask an administrator to raise Model:MaxTokens, or use the offline draft.",
                retryable: false, errorCode: "length");
        }
    }

    /// <summary>Token usage may come in a chunk after the finish reason: wait briefly for it, never fail for it. A
    /// service that keeps the connection open after the answer is cut off after 2 s (the response is closed so that
    /// no read is left pending).</summary>
    private static async Task ReadTrailingUsageAsync(IAsyncEnumerator<StreamingChatCompletionsUpdate> updates, IDisposable response, DraftCallInfo call)
    {
        for (var i = 0; i < 4; i++)
        {
            var next = updates.MoveNextAsync().AsTask();
            if (await Task.WhenAny(next, Task.Delay(TimeSpan.FromSeconds(2))).ConfigureAwait(false) != next)
            {
                response.Dispose();
            }
            try
            {
                if (!await next.ConfigureAwait(false)) return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                return; // the answer itself is complete; usage is best effort
            }
            if (updates.Current.Usage is { } usage)
            {
                call.PromptTokens = usage.PromptTokens;
                call.CompletionTokens = usage.CompletionTokens;
                return;
            }
        }
    }

    private DraftModelException DeadlineExceeded(int received, Exception? innerException)
    {
        LogFailed(_logger, _options.Deployment!, 0, "deadline", received);
        return new DraftModelException(
            $"The AI service did not finish the draft within {_options.TotalTimeoutSeconds} seconds{(received > 0 ? ", so the text received is incomplete" : "")}. Try again; if it keeps happening, use the offline draft.",
            retryable: true, errorCode: "deadline", innerException: innerException);
    }

    /// <summary>Maps a failure to a clinician-facing exception; null lets the caller's own cancellation through.</summary>
    private DraftModelException? Translate(Exception ex, CancellationToken cancellationToken, int received, CancellationToken deadline = default)
    {
        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested) return null;
        if (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested) return DeadlineExceeded(received, ex);

        var partial = received > 0 ? " The text received so far is incomplete." : "";
        switch (ex)
        {
            case RequestFailedException rfe:
                LogFailed(_logger, _options.Deployment!, rfe.Status, rfe.ErrorCode ?? "", received);
                var failure = FromStatus(rfe.Status, rfe.ErrorCode, partial, _options.TimeoutSeconds);
                failure.RetryAfter = RetryAfterOf(rfe);
                return failure;

            case OperationCanceledException or TimeoutException:
                LogFailed(_logger, _options.Deployment!, 0, "timeout", received);
                return new DraftModelException(
                    $"The AI service did not respond within {_options.TimeoutSeconds} seconds.{partial} Try again; if it keeps happening, use the offline draft.",
                    retryable: true, errorCode: "timeout", innerException: ex);

            case IOException or HttpRequestException:
                LogFailed(_logger, _options.Deployment!, 0, "connection", received);
                return new DraftModelException(
                    received > 0
                        ? "The connection to the AI service was interrupted before the draft was complete, so the text received is incomplete. Try again."
                        : "The AI service could not be reached. Check the network connection and try again, or use the offline draft.",
                    retryable: true, errorCode: "connection", innerException: ex);

            case System.Text.Json.JsonException or FormatException:
                LogFailed(_logger, _options.Deployment!, 0, "malformed", received);
                return new DraftModelException(
                    $"The AI service sent a malformed answer.{partial} Try again; if it keeps happening, use the offline draft.",
                    retryable: true, errorCode: "malformed", innerException: ex);

            default:
                return null;
        }
    }

    /// <summary>The service's Retry-After (seconds or an HTTP date) on a failed answer, if it sent one.</summary>
    internal static TimeSpan? RetryAfterOf(RequestFailedException failure)
    {
        var response = failure.GetRawResponse();
        if (response is null) return null;
        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var millis) && millis >= 0)
        {
            return TimeSpan.FromMilliseconds(millis);
        }
        if (!response.Headers.TryGetValue("Retry-After", out var value) || string.IsNullOrWhiteSpace(value)) return null;
        if (double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        return DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at - DateTimeOffset.UtcNow is { Ticks: > 0 } wait ? wait : TimeSpan.Zero
            : null;
    }

    internal static DraftModelException FromStatus(int status, string? errorCode, string partial, int timeoutSeconds)
    {
        var code = errorCode ?? "";
        if (code.Contains("content_filter", StringComparison.OrdinalIgnoreCase) || code.Contains("ResponsibleAIPolicyViolation", StringComparison.OrdinalIgnoreCase))
        {
            return new DraftModelException(
                "The AI service's content filter blocked this request, so no AI draft was produced. Write the summary yourself or use the offline draft.",
                retryable: false, status, errorCode);
        }

        return status switch
        {
            0 => new DraftModelException(
                $"The AI service could not be reached.{partial} Check the network connection and try again, or use the offline draft.",
                retryable: true, status, errorCode),
            408 => new DraftModelException(
                $"The AI service did not respond within {timeoutSeconds} seconds.{partial} Try again; if it keeps happening, use the offline draft.",
                retryable: true, status, errorCode),
            429 => new DraftModelException(
                $"The AI service is busy (rate limit reached).{partial} Wait a minute and try again, or use the offline draft.",
                retryable: true, status, errorCode),
            401 or 403 => new DraftModelException(
                "The AI service refused the application's credentials. Ask an administrator to check the model configuration; meanwhile use the offline draft.",
                retryable: false, status, errorCode),
            404 => new DraftModelException(
                "The configured AI model deployment was not found. Ask an administrator to check the model configuration; meanwhile use the offline draft.",
                retryable: false, status, errorCode),
            >= 500 => new DraftModelException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"The AI service is temporarily unavailable (HTTP {status}).{partial} Try again in a few minutes, or use the offline draft."),
                retryable: true, status, errorCode),
            _ => new DraftModelException(
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"The AI service rejected the request (HTTP {status}{(errorCode is { Length: > 0 } ? ", " + errorCode : "")}). Ask an administrator to check the model configuration; meanwhile use the offline draft."),
                retryable: false, status, errorCode),
        };
    }

    /// <summary>
    /// Azure.AI.Inference 1.0.0-beta.5 keeps reading a streamed answer that ends without "data: [DONE]" (a cut or
    /// truncated stream) in a tight loop at end of stream. This policy wraps streamed response bodies so that a
    /// read after the end has already been reported fails with an <see cref="IOException"/>, which surfaces as a
    /// retryable "interrupted" error instead of a hang.
    /// </summary>
    private sealed class EndOfStreamGuardPolicy : HttpPipelinePolicy
    {
        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            Guard(message);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
            Guard(message);
        }

        private static void Guard(HttpMessage message)
        {
            if (message.HasResponse && message.Response.Status == 200 && message.Response.ContentStream is { } body
                && message.Response.Headers.ContentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true)
            {
                message.Response.ContentStream = new EndOfStreamGuardStream(body);
            }
        }
    }

    private sealed class EndOfStreamGuardStream(Stream inner) : Stream
    {
        private bool _ended;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Check(inner.Read(buffer, offset, count), count);

        public override int Read(Span<byte> buffer) => Check(inner.Read(buffer), buffer.Length);

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Check(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken).ConfigureAwait(false), count);

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Check(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false), buffer.Length);

        private int Check(int read, int requested)
        {
            if (read > 0 || requested == 0) return read;
            if (_ended) throw new IOException("The streamed answer ended before it was complete.");
            _ended = true;
            return 0;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information,
        Message = "Model draft streamed from deployment {Deployment}: finish reason {FinishReason}, {Characters} characters in {ElapsedMs} ms")]
    private static partial void LogCompleted(ILogger logger, string deployment, string finishReason, int characters, long elapsedMs);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Model call to deployment {Deployment} failed: status {Status}, code {ErrorCode}, {Characters} characters received")]
    private static partial void LogFailed(ILogger logger, string deployment, int status, string errorCode, int characters);
}

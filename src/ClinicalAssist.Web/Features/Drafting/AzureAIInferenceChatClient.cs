using System.Runtime.CompilerServices;
using Azure;
using Azure.AI.Inference;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.AI;
using ChatRole = Microsoft.Extensions.AI.ChatRole;
using InferenceFinishReason = Azure.AI.Inference.CompletionsFinishReason;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The <c>AzureAIInference</c> provider: an <see cref="IChatClient"/> over Azure.AI.Inference's
/// <see cref="ChatCompletionsClient"/> (the <c>/models</c> route). Microsoft retired this beta SDK and route on
/// 2026-08-26; it is kept for existing configurations, <c>FoundryOpenAI</c> is the default for new ones. The SDK's own
/// retries are off (the pipeline has one retry layer, <see cref="ModelRetryChatClient"/>); its errors are left as
/// <see cref="RequestFailedException"/> for <see cref="ModelFailures"/> to read.
/// </summary>
public sealed class AzureAIInferenceChatClient : IChatClient
{
    private readonly ChatCompletionsClient _client;
    private readonly ChatClientMetadata _metadata;

    /// <param name="options">Validated model options (Provider AzureAIInference).</param>
    /// <param name="tokenCredential">Entra ID credential, required when <see cref="ModelOptions.UseEntraId"/>.</param>
    /// <param name="handler">The HTTP handler (tests: an in-process handler); a fresh pooled handler otherwise.</param>
    public AzureAIInferenceChatClient(ModelOptions options, TokenCredential? tokenCredential = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Endpoint is null || string.IsNullOrWhiteSpace(options.Deployment))
            throw new InvalidOperationException("Model:Endpoint and Model:Deployment are required for the Azure AI Inference provider.");

        var clientOptions = new AzureAIInferenceClientOptions();
        clientOptions.Retry.MaxRetries = 0; // the pipeline's ModelRetryChatClient is the one retry layer
        clientOptions.Retry.NetworkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        clientOptions.Diagnostics.IsLoggingContentEnabled = false;
        clientOptions.Diagnostics.IsLoggingEnabled = false;
        clientOptions.Diagnostics.IsDistributedTracingEnabled = false; // the pipeline's OpenTelemetry layer traces the call
        clientOptions.AddPolicy(new EndOfStreamGuardPolicy(), HttpPipelinePosition.PerRetry);
        clientOptions.Transport = new HttpClientTransport(handler ?? DraftModelFactory.CreateHandler(options));

        if (options.UseEntraId)
        {
            var credential = tokenCredential
                ?? throw new InvalidOperationException("Model:UseEntraId is set but no Entra ID credential was supplied.");
            // The library's default token scope is Azure ML's; AI Foundry / AI services endpoints need cognitive services.
            clientOptions.AddPolicy(new BearerTokenAuthenticationPolicy(credential, options.EntraIdScope), HttpPipelinePosition.PerRetry);
            _client = new ChatCompletionsClient(options.Endpoint, credential, clientOptions);
        }
        else
        {
            if (string.IsNullOrWhiteSpace(options.ApiKey))
                throw new InvalidOperationException("Model:ApiKey is required unless Model:UseEntraId is set.");
            _client = new ChatCompletionsClient(options.Endpoint, new AzureKeyCredential(options.ApiKey), clientOptions);
        }
        _metadata = new ChatClientMetadata("azure.ai.inference", options.Endpoint, options.Deployment);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var response = await _client.CompleteAsync(ToRequest(messages, options), cancellationToken).ConfigureAwait(false);
        var completion = response.Value;
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, completion.Content))
        {
            ModelId = completion.Model,
            ResponseId = completion.Id,
            FinishReason = ToFinishReason(completion.FinishReason),
            Usage = ToUsage(completion.Usage),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var response = await _client.CompleteStreamingAsync(ToRequest(messages, options), cancellationToken).ConfigureAwait(false);
        // The library reads the body without the token; closing the response is what stops a pending read.
        using var closeOnCancel = cancellationToken.Register(static r => ((IDisposable)r!).Dispose(), response);
        await foreach (var update in response.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var contents = new List<AIContent>();
            if (!string.IsNullOrEmpty(update.ContentUpdate)) contents.Add(new TextContent(update.ContentUpdate));
            if (ToUsage(update.Usage) is { } usage) contents.Add(new UsageContent(usage));
            yield return new ChatResponseUpdate(ChatRole.Assistant, contents)
            {
                ModelId = string.IsNullOrEmpty(update.Model) ? null : update.Model,
                ResponseId = update.Id,
                FinishReason = ToFinishReason(update.FinishReason),
            };
        }
        // The library ends the enumeration quietly when the token is cancelled.
        cancellationToken.ThrowIfCancellationRequested();
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType.IsInstanceOfType(_client) ? _client
        : null;

    public void Dispose()
    {
    }

    private static ChatCompletionsOptions ToRequest(IEnumerable<ChatMessage> messages, ChatOptions? options)
    {
        var request = new ChatCompletionsOptions
        {
            Model = options?.ModelId,
            Temperature = options?.Temperature,
            MaxTokens = options?.MaxOutputTokens,
            NucleusSamplingFactor = options?.TopP,
            Seed = options?.Seed,
        };
        foreach (var message in messages)
        {
            request.Messages.Add(message.Role == ChatRole.System ? new ChatRequestSystemMessage(message.Text)
                : message.Role == ChatRole.Assistant ? new ChatRequestAssistantMessage(message.Text)
                : new ChatRequestUserMessage(message.Text));
        }
        if (options?.ResponseFormat is ChatResponseFormatJson { Schema: { } schema } json)
        {
            var members = schema.EnumerateObject().ToDictionary(p => p.Name, p => BinaryData.FromString(p.Value.GetRawText()), StringComparer.Ordinal);
            request.ResponseFormat = ChatCompletionsResponseFormat.CreateJsonFormat(json.SchemaName ?? "answer", members, json.SchemaDescription, true);
        }
        return request;
    }

    private static UsageDetails? ToUsage(CompletionsUsage? usage) => usage is null ? null : new UsageDetails
    {
        InputTokenCount = usage.PromptTokens,
        OutputTokenCount = usage.CompletionTokens,
        TotalTokenCount = usage.TotalTokens,
    };

    private static ChatFinishReason? ToFinishReason(InferenceFinishReason? reason) =>
        reason is not { } r ? null
        : r == InferenceFinishReason.Stopped ? ChatFinishReason.Stop
        : r == InferenceFinishReason.TokenLimitReached ? ChatFinishReason.Length
        : r == InferenceFinishReason.ContentFiltered ? ChatFinishReason.ContentFilter
        : r == InferenceFinishReason.ToolCalls ? ChatFinishReason.ToolCalls
        : new ChatFinishReason(r.ToString());

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
}

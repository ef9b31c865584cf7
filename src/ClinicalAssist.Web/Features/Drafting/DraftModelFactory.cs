using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Azure.Core;
using ClinicalAssist.Data;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The one place a drafter is built (for the admin's active model configuration, see
/// <see cref="ModelConfigurationService"/>). Every AI provider is an <see cref="IChatClient"/>, composed once into the
/// same pipeline: OpenTelemetry (GenAI semantic conventions; prompt and answer text recorded only when
/// <see cref="ModelOptions.RecordContentInTelemetry"/> is on), logging without content, then the one retry layer
/// with rate-limit pacing, which also strips the service's error text from the SDKs' failures
/// (<see cref="ModelRetryChatClient"/>), then the provider:
/// <list type="bullet">
/// <item><c>FoundryOpenAI</c>: the stable OpenAI .NET SDK against Foundry's OpenAI/v1 endpoint (deployment name as
/// the model, no api-version), API key or Entra ID; wrapped with <c>AsIChatClient()</c>.</item>
/// <item><c>AzureAIInference</c>: <see cref="AzureAIInferenceChatClient"/> (retired by Microsoft on 2026-08-26).</item>
/// <item><c>Offline</c>: the rule-based drafter (no AI model).</item>
/// </list>
/// </summary>
public sealed class DraftModelFactory(ILoggerFactory loggerFactory, TimeProvider time, PromptInjectionDetector detector)
{
    /// <summary>The ActivitySource / Meter name of the model pipeline's GenAI telemetry.</summary>
    public const string TelemetrySourceName = "ClinicalAssist.Model";

    /// <summary>One pace per model deployment (provider, endpoint, deployment): every drafter built for it — each
    /// version of its configuration, interactive drafts and rounds' workers alike — waits out the same 429.</summary>
    private readonly ConcurrentDictionary<(ModelProvider, Uri?, string?), ModelRateLimitPace> _paces = new();

    /// <summary>First back-off between attempts when the service gives no Retry-After (doubles each attempt).</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(0.8);

    /// <summary>The HTTP handler for AI providers (tests: an in-process handler); null: a pooled handler per model.</summary>
    public Func<ModelOptions, HttpMessageHandler>? Handler { get; init; }

    /// <summary>The shared rate-limit pace of the deployment the options name.</summary>
    public ModelRateLimitPace PaceFor(ModelOptions options) => _paces.GetOrAdd((options.Provider, options.Endpoint, options.Deployment), _ => new());

    /// <summary>Builds the drafter for validated options (API key resolved, credential given for Entra ID).</summary>
    public IDraftModel Create(ModelOptions options, TokenCredential? credential = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Provider == ModelProvider.Offline)
        {
            return new OfflineDrafter(detector, TimeSpan.FromMilliseconds(options.OfflineChunkDelayMilliseconds));
        }

        var handler = Handler?.Invoke(options) ?? CreateHandler(options);
        IChatClient provider = options.Provider switch
        {
            ModelProvider.FoundryOpenAI => CreateFoundryOpenAI(options, credential, handler),
            ModelProvider.AzureAIInference => new AzureAIInferenceChatClient(options, credential, handler),
            _ => throw new InvalidOperationException($"Unknown model provider {options.Provider}."),
        };

        var pace = PaceFor(options);
        var pipeline = new ChatClientBuilder(provider)
            .UseOpenTelemetry(loggerFactory, TelemetrySourceName, c => c.EnableSensitiveData = options.RecordContentInTelemetry)
            .UseLogging(new ContentFreeLoggerFactory(loggerFactory))
            .Use(inner => new ModelRetryChatClient(inner, options.MaxRetries, RetryBaseDelay, pace, time))
            .Build();
        return new ChatClientDraftModel(pipeline, options, pace, loggerFactory.CreateLogger<ChatClientDraftModel>(), time);
    }

    /// <summary>The OpenAI v1 client for a Foundry endpoint: https://&lt;resource&gt;.openai.azure.com/openai/v1/ or
    /// https://&lt;resource&gt;.services.ai.azure.com/openai/v1/. The SDK's retries are off (one retry layer).</summary>
    private static IChatClient CreateFoundryOpenAI(ModelOptions options, TokenCredential? credential, HttpMessageHandler handler)
    {
        if (options.Endpoint is null || string.IsNullOrWhiteSpace(options.Deployment))
            throw new InvalidOperationException("Model:Endpoint and Model:Deployment are required for the Foundry OpenAI provider.");
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = options.Endpoint,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
            Transport = new HttpClientPipelineTransport(new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }),
        };
        ChatClient client;
        if (options.UseEntraId)
        {
            var tokens = credential ?? throw new InvalidOperationException("Model:UseEntraId is set but no Entra ID credential was supplied.");
            // Microsoft's documented way to use Entra ID with the OpenAI/v1 endpoint; the constructor taking an
            // authentication policy is marked for evaluation (OPENAI001) in OpenAI 2.x.
#pragma warning disable OPENAI001
            client = new ChatClient(options.Deployment, new BearerTokenPolicy(tokens, options.EntraIdScope), clientOptions);
#pragma warning restore OPENAI001
        }
        else
        {
            if (string.IsNullOrWhiteSpace(options.ApiKey))
                throw new InvalidOperationException("Model:ApiKey is required unless Model:UseEntraId is set.");
            client = new ChatClient(options.Deployment, new ApiKeyCredential(options.ApiKey), clientOptions);
        }
        // Microsoft.Extensions.AI's strict-schema transform turns "pattern" into a description; Foundry's strict
        // structured output supports "pattern", so the answer schema is sent exactly as generated.
        return new ChatClientBuilder(client.AsIChatClient())
            .ConfigureOptions(o =>
            {
                if (o.ResponseFormat is ChatResponseFormatJson { Schema: { } schema } json)
                {
                    o.RawRepresentationFactory = _ => new ChatCompletionOptions
                    {
                        ResponseFormat = OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(
                            json.SchemaName ?? DraftAnswerSchema.Name, BinaryData.FromString(schema.GetRawText()), json.SchemaDescription,
                            jsonSchemaIsStrict: true),
                    };
                }
            })
            .Build();
    }

    /// <summary>A pooled handler: connect timeout from the options; a cancelled draft closes its connection at once
    /// instead of draining the rest of the answer.</summary>
    internal static HttpMessageHandler CreateHandler(ModelOptions options) => new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(options.TimeoutSeconds),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ResponseDrainTimeout = TimeSpan.Zero,
        MaxResponseDrainSize = 0,
    };

    /// <summary>Loggers for the pipeline's logging layer with Trace off: M.E.AI's LoggingChatClient writes messages,
    /// options and answers only at Trace, so with it off the log carries calls, timings and failures, never text.</summary>
    private sealed class ContentFreeLoggerFactory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new ContentFreeLogger(inner.CreateLogger(categoryName));

        public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException();

        public void Dispose()
        {
        }

        private sealed class ContentFreeLogger(ILogger inner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

            public bool IsEnabled(LogLevel logLevel) => logLevel > LogLevel.Trace && inner.IsEnabled(logLevel);

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                // The exception is left out: an SDK's exception message can quote the service's error body, which
                // can echo request content. The draft model logs the status and error code instead.
                if (IsEnabled(logLevel)) inner.Log(logLevel, eventId, state, null, formatter);
            }
        }
    }
}

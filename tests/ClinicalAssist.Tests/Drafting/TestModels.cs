using System.Collections.Concurrent;
using System.Diagnostics;
using Azure.Core;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>Drafters built the way the product builds them (<see cref="DraftModelFactory"/>), with a 10 ms first
/// back-off so retries do not slow the tests down, and what the provider tests share.</summary>
internal static class TestModels
{
    public const string ApiKey = "test-key-not-a-secret";

    public static DraftModelFactory Factory(Func<ModelOptions, HttpMessageHandler>? handler = null, TimeProvider? time = null, ILoggerFactory? logs = null) =>
        new(logs ?? NullLoggerFactory.Instance, time ?? TimeProvider.System, new PromptInjectionDetector())
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            Handler = handler,
        };

    public static ChatClientDraftModel Create(ModelOptions options, TokenCredential? credential = null, Func<ModelOptions, HttpMessageHandler>? handler = null,
        TimeProvider? time = null, ILoggerFactory? logs = null) =>
        (ChatClientDraftModel)Factory(handler, time, logs).Create(options, credential);

    /// <summary>The options the provider tests draft with: an API key, deployment gpt-4o-mini.</summary>
    public static ModelOptions Options(ModelProvider provider, Uri endpoint, int maxRetries = 2, int timeoutSeconds = 5, int totalTimeoutSeconds = 180,
        string deployment = "gpt-4o-mini") => new()
    {
        Provider = provider,
        Endpoint = endpoint,
        Deployment = deployment,
        ApiKey = ApiKey,
        Temperature = 0.1f,
        MaxTokens = 900,
        TimeoutSeconds = timeoutSeconds,
        MaxRetries = maxRetries,
        TotalTimeoutSeconds = totalTimeoutSeconds,
    };

    /// <summary>The options of an Entra ID deployment on an https endpoint (bearer tokens are sent over https only).</summary>
    public static ModelOptions EntraId(ModelProvider provider, Uri endpoint)
    {
        var options = Options(provider, endpoint);
        options.ApiKey = null;
        options.UseEntraId = true;
        return options;
    }

    /// <summary>Drafts once for the test patient: the whole text (and each chunk, when asked).</summary>
    public static Task<string> DraftAsync(IDraftModel model, List<string>? chunks = null, DraftRequest? request = null) =>
        DraftingTestData.ReadAllAsync(model.StreamAsync(request ?? DraftingTestData.Request(DraftingTestData.Context()),
            Xunit.TestContext.Current.CancellationToken), chunks);
}

/// <summary>A credential whose token names the scope it was asked for.</summary>
internal sealed class ScopeEchoingCredential : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        new("token-for:" + string.Join(" ", requestContext.Scopes), DateTimeOffset.UtcNow.AddHours(1));

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        ValueTask.FromResult(GetToken(requestContext, cancellationToken));
}

/// <summary>
/// A model endpoint answered in process (an <see cref="HttpMessageHandler"/> under the provider's SDK, for https
/// endpoints and tests that need no socket): every call streams <see cref="Events"/> as SSE after <see cref="Delay"/>,
/// unless <see cref="Answer"/> returns another status for that call (e.g. a 429 with retry-after-ms). Each call's
/// arrival, status and headers are kept.
/// </summary>
internal sealed class InProcessModelEndpoint : HttpMessageHandler
{
    private int _calls;

    public sealed record Call(int Number, long ArrivedAt, int Status, string? Uri, string? Authorization, string? ApiKey);

    /// <summary>Chunks of the streamed answer (a short unstructured draft by default).</summary>
    public IReadOnlyList<string> Events { get; init; } =
    [
        FakeChatCompletionsServer.Chunk("## Summary\nAdmitted and reviewed on the ward round [P1].\n", "assistant", null),
        FakeChatCompletionsServer.Chunk(null, null, "stop"),
    ];

    public TimeSpan Delay { get; init; }

    /// <summary>Per 1-based call number: the status to answer, after any wait; 200 streams <see cref="Events"/>.</summary>
    public Func<int, Task<int>> Answer { get; set; } = _ => Task.FromResult(200);

    /// <summary>The Retry-After sent (as retry-after-ms) with an error status.</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromMilliseconds(20);

    public ConcurrentQueue<Call> Calls { get; } = new();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var number = Interlocked.Increment(ref _calls);
        var arrived = Stopwatch.GetTimestamp();
        var status = await Answer(number);
        Calls.Enqueue(new Call(number, arrived, status, request.RequestUri?.ToString(), request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues("api-key", out var keys) ? string.Join(",", keys) : null));
        if (status != 200)
        {
            var error = new HttpResponseMessage((System.Net.HttpStatusCode)status)
            {
                Content = new StringContent($$$"""{"error":{"code":"{{{status}}}","message":"Failed."}}""", System.Text.Encoding.UTF8, "application/json"),
            };
            error.Headers.Add("retry-after-ms", ((int)RetryAfter.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
            return error;
        }
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, cancellationToken);
        return new HttpResponseMessage(System.Net.HttpStatusCode.OK)
        {
            Content = new StringContent(string.Concat(Events.Select(e => "data: " + e + "\n\n")) + "data: [DONE]\n\n", System.Text.Encoding.UTF8, "text/event-stream"),
        };
    }
}

using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>
/// A loopback stand-in for an Azure AI Foundry chat completions endpoint: POST {path}/chat/completions, answered
/// by a per-test handler (SSE chunks in the OpenAI chat.completion.chunk format, errors, cut streams).
/// </summary>
internal sealed class FakeChatCompletionsServer : IAsyncDisposable
{
    public const string BasePath = "/models";

    private readonly WebApplication _app;

    public sealed record ReceivedRequest(string Path, string? ApiKey, JsonNode Body);

    private FakeChatCompletionsServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The endpoint to configure (http://127.0.0.1:port/models).</summary>
    public Uri Endpoint { get; }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <param name="handler">Gets the context and the 1-based attempt number; writes the response.</param>
    public static async Task<FakeChatCompletionsServer> StartAsync(Func<HttpContext, int, Task> handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();

        FakeChatCompletionsServer? server = null;
        var attempts = 0;
        app.MapPost(BasePath + "/chat/completions", async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted)
                       ?? throw new InvalidOperationException("empty request body");
            server!.Requests.Enqueue(new ReceivedRequest(context.Request.Path, context.Request.Headers["api-key"].ToString(), body));
            await handler(context, Interlocked.Increment(ref attempts));
        });

        await app.StartAsync(Xunit.TestContext.Current.CancellationToken);
        var address = app.Urls.First();
        server = new FakeChatCompletionsServer(app, new Uri(address.TrimEnd('/') + BasePath));
        return server;
    }

    /// <summary>Writes SSE headers and the given content pieces as chunks; optionally a final chunk with a finish
    /// reason and the [DONE] line.</summary>
    public static async Task WriteChunksAsync(HttpContext context, IEnumerable<string> pieces, string? finishReason = "stop", bool done = true,
        (int Prompt, int Completion)? usage = null)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        var first = true;
        foreach (var piece in pieces)
        {
            await WriteEventAsync(context, Chunk(piece, first ? "assistant" : null, null));
            first = false;
        }
        if (finishReason is not null) await WriteEventAsync(context, Chunk(null, null, finishReason, usage));
        if (done)
        {
            await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
    }

    public static async Task WriteEventAsync(HttpContext context, string json)
    {
        await context.Response.WriteAsync("data: " + json + "\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public static string Chunk(string? content, string? role, string? finishReason, (int Prompt, int Completion)? usage = null)
    {
        var delta = new JsonObject();
        if (role is not null) delta["role"] = role;
        if (content is not null) delta["content"] = content;
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-test",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_790_000_000,
            ["model"] = "gpt-4o-mini",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = delta,
                ["finish_reason"] = finishReason is null ? null : JsonValue.Create(finishReason),
            }),
        };
        if (usage is { } u)
        {
            chunk["usage"] = new JsonObject
            {
                ["prompt_tokens"] = u.Prompt, ["completion_tokens"] = u.Completion, ["total_tokens"] = u.Prompt + u.Completion,
            };
        }
        return chunk.ToJsonString();
    }

    public static async Task WriteErrorAsync(HttpContext context, int status, string code, string message, IDictionary<string, string>? headers = null)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        foreach (var (name, value) in headers ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
        var body = JsonSerializer.Serialize(new { error = new { code, message, status } });
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body), context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

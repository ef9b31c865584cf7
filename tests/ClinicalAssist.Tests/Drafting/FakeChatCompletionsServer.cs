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
/// A loopback stand-in for an Azure AI Foundry chat completions endpoint (bound to 127.0.0.1, port 0):
/// POST {path}/chat/completions, answered by a per-test handler (JSON, SSE chunks in the OpenAI
/// chat.completion.chunk format, errors, cut streams). Two routes: <see cref="BasePath"/> (/models, Azure.AI.Inference)
/// and <see cref="OpenAIv1Path"/> (/openai/v1, Foundry's OpenAI/v1 protocol).
/// </summary>
internal sealed class FakeChatCompletionsServer : IAsyncDisposable
{
    public const string BasePath = "/models";

    /// <summary>Foundry's OpenAI/v1 route: POST /openai/v1/chat/completions, no api-version.</summary>
    public const string OpenAIv1Path = "/openai/v1";

    private readonly WebApplication _app;

    public sealed record ReceivedRequest(string Path, string? ApiKey, JsonNode Body, string? Authorization = null, string? Query = null);

    private FakeChatCompletionsServer(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    /// <summary>The endpoint to configure (http://127.0.0.1:port/models, or …/openai/v1/).</summary>
    public Uri Endpoint { get; }

    public ConcurrentQueue<ReceivedRequest> Requests { get; } = new();

    /// <param name="handler">Gets the context and the 1-based attempt number; writes the response.</param>
    /// <param name="basePath"><see cref="BasePath"/> or <see cref="OpenAIv1Path"/>.</param>
    public static async Task<FakeChatCompletionsServer> StartAsync(Func<HttpContext, int, Task> handler, string basePath = BasePath)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();

        FakeChatCompletionsServer? server = null;
        var attempts = 0;
        app.MapPost(basePath + "/chat/completions", async (HttpContext context) =>
        {
            var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted)
                       ?? throw new InvalidOperationException("empty request body");
            context.Items[nameof(ReceivedRequest.Body)] = body;
            server!.Requests.Enqueue(new ReceivedRequest(context.Request.Path, context.Request.Headers["api-key"].ToString(), body,
                context.Request.Headers.Authorization.ToString(), context.Request.QueryString.Value));
            await handler(context, Interlocked.Increment(ref attempts));
        });

        await app.StartAsync(Xunit.TestContext.Current.CancellationToken);
        var address = app.Urls.First();
        server = new FakeChatCompletionsServer(app, new Uri(address.TrimEnd('/') + basePath + (basePath == OpenAIv1Path ? "/" : "")));
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

    /// <summary>The OpenAI v1 stream: content chunks, a chunk with the finish reason, then — when the request asked
    /// for it with stream_options.include_usage — a last chunk with empty choices and the usage, then [DONE].</summary>
    public static async Task WriteOpenAIStreamAsync(HttpContext context, IEnumerable<string> pieces, string finishReason = "stop",
        (int Prompt, int Completion)? usage = null, string model = "gpt-4o-mini-2024-07-18")
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        var first = true;
        foreach (var piece in pieces)
        {
            await WriteEventAsync(context, Chunk(piece, first ? "assistant" : null, null, model: model));
            first = false;
        }
        await WriteEventAsync(context, Chunk(null, null, finishReason, model: model));
        if (usage is { } u)
        {
            var last = JsonNode.Parse(Chunk(null, null, null, u, model))!.AsObject();
            last["choices"] = new JsonArray();
            await WriteEventAsync(context, last.ToJsonString());
        }
        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>A non-streamed chat.completion answer.</summary>
    public static Task WriteCompletionAsync(HttpContext context, string content, string model = "gpt-4o-mini-2024-07-18", (int Prompt, int Completion)? usage = null)
    {
        var u = usage ?? (12, 1);
        var body = new JsonObject
        {
            ["id"] = "chatcmpl-test",
            ["object"] = "chat.completion",
            ["created"] = 1_790_000_000,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = u.Prompt, ["completion_tokens"] = u.Completion, ["total_tokens"] = u.Prompt + u.Completion },
        };
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    /// <summary>Azure's content-filter refusal of a prompt: HTTP 400, code content_filter, innererror
    /// ResponsibleAIPolicyViolation with the filter results — and a message that may quote the prompt.</summary>
    public static Task WriteContentFilterErrorAsync(HttpContext context, string echoedText)
    {
        var body = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["message"] = "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. " + echoedText,
                ["type"] = null,
                ["param"] = "prompt",
                ["code"] = "content_filter",
                ["status"] = 400,
                ["innererror"] = new JsonObject
                {
                    ["code"] = "ResponsibleAIPolicyViolation",
                    ["content_filter_result"] = new JsonObject
                    {
                        ["hate"] = new JsonObject { ["filtered"] = false, ["severity"] = "safe" },
                        ["self_harm"] = new JsonObject { ["filtered"] = true, ["severity"] = "medium" },
                        ["sexual"] = new JsonObject { ["filtered"] = false, ["severity"] = "safe" },
                        ["violence"] = new JsonObject { ["filtered"] = false, ["severity"] = "safe" },
                    },
                },
            },
        };
        context.Response.StatusCode = 400;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    public static async Task WriteEventAsync(HttpContext context, string json)
    {
        await context.Response.WriteAsync("data: " + json + "\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    public static string Chunk(string? content, string? role, string? finishReason, (int Prompt, int Completion)? usage = null, string model = "gpt-4o-mini")
    {
        var delta = new JsonObject();
        if (role is not null) delta["role"] = role;
        if (content is not null) delta["content"] = content;
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-test",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_790_000_000,
            ["model"] = model,
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

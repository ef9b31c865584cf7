using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// A fake Azure AI Inference chat-completions endpoint on a loopback port (HttpListener: the browser-test project has
/// no ASP.NET Core host). Same idea as tests/ClinicalAssist.Tests/Drafting/FakeChatCompletionsServer: a non-streaming
/// call (Test connection) gets a one-word answer; a streaming call (a draft) gets the JSON answer contract as SSE
/// chunks with token usage. Every request's key (api-key header or bearer token) is kept.
/// </summary>
public sealed class LoopbackChatModel : IAsyncDisposable
{
    public const string ReportedModel = "fake-gpt-4o-2024-11-20";
    private readonly HttpListener _listener = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public Uri Endpoint { get; }

    /// <summary>The same listener as Foundry's OpenAI/v1 route (the default provider of a new configuration).</summary>
    public Uri OpenAIv1Endpoint => new(Endpoint, "/openai/v1/");
    public ConcurrentQueue<(bool Streaming, string? ApiKey)> Requests { get; } = new();

    private LoopbackChatModel(int port)
    {
        Endpoint = new Uri($"http://127.0.0.1:{port}/models");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public static LoopbackChatModel Start()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new LoopbackChatModel(port);
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = JsonNode.Parse(await reader.ReadToEndAsync()) ?? new JsonObject();
            var streaming = body["stream"]?.GetValue<bool>() == true;
            // Azure.AI.Inference sends the key as api-key; the OpenAI/v1 client as Authorization: Bearer <key>.
            var bearer = context.Request.Headers["Authorization"];
            Requests.Enqueue((streaming, context.Request.Headers["api-key"]
                ?? (bearer is not null && bearer.StartsWith("Bearer ", StringComparison.Ordinal) ? bearer["Bearer ".Length..] : null)));
            var response = context.Response;
            if (!streaming)
            {
                response.ContentType = "application/json";
                await WriteAsync(response, $$$"""
                    {"id":"c1","object":"chat.completion","created":1732435200,"model":"{{{ReportedModel}}}",
                     "choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"OK"}}],
                     "usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}
                    """);
                response.Close();
                return;
            }

            response.ContentType = "text/event-stream";
            response.SendChunked = true;
            var answer = new JsonObject
            {
                ["summary"] = new JsonObject { ["text"] = "Inpatient summary drafted by the loopback test model.", ["cite"] = new JsonArray() },
                ["problems"] = new JsonArray(),
                ["keyFindings"] = new JsonArray(),
                ["differentials"] = new JsonArray(),
                ["nextSteps"] = new JsonArray(new JsonObject { ["text"] = "Review the chart.", ["cite"] = new JsonArray() }),
                ["openQuestions"] = new JsonArray(),
            }.ToJsonString();
            var first = true;
            foreach (var piece in answer.Chunk(24).Select(c => new string(c)))
            {
                await WriteAsync(response, "data: " + Chunk(piece, first ? "assistant" : null, null, null) + "\n\n");
                first = false;
                await Task.Delay(10);
            }
            await WriteAsync(response, "data: " + Chunk(null, null, "stop", (1234, 56)) + "\n\n");
            await WriteAsync(response, "data: [DONE]\n\n");
            response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away.
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await response.OutputStream.WriteAsync(bytes);
        await response.OutputStream.FlushAsync();
    }

    private static string Chunk(string? content, string? role, string? finishReason, (int Prompt, int Completion)? usage)
    {
        var delta = new JsonObject();
        if (role is not null) delta["role"] = role;
        if (content is not null) delta["content"] = content;
        var chunk = new JsonObject
        {
            ["id"] = "chatcmpl-e2e",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_790_000_000,
            ["model"] = ReportedModel,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finishReason is null ? null : JsonValue.Create(finishReason) }),
        };
        if (usage is { } u)
        {
            chunk["usage"] = new JsonObject { ["prompt_tokens"] = u.Prompt, ["completion_tokens"] = u.Completion, ["total_tokens"] = u.Prompt + u.Completion };
        }
        return chunk.ToJsonString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try { await _loop; } catch (ObjectDisposedException) { }
        _stop.Dispose();
    }
}

using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// A loopback fake of an Azure AI Foundry chat completions endpoint for the browser tests — both routes: Azure.AI.Inference's
/// POST /models/chat/completions (<see cref="Endpoint"/>) and the OpenAI/v1 protocol's POST /openai/v1/chat/completions
/// (<see cref="OpenAIv1Endpoint"/>), SSE: each request is answered by the next script. A script streams content pieces with a pause between
/// them and records the time (Unix ms) each piece left, so a page can measure token → screen latency.
/// </summary>
public sealed class FakeModelEndpoint : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<Script> _scripts = new();
    private readonly CancellationTokenSource _stop = new();

    /// <param name="FirstTokenDelay">How long the fake waits after the request arrived before it sends the first
    /// piece (its time to first token).</param>
    public sealed record Script(IReadOnlyList<string> Pieces, TimeSpan Pause, bool Finish = true, TimeSpan FirstTokenDelay = default);

    /// <summary>Piece index → Unix ms when it was flushed, for the request that streamed it.</summary>
    public ConcurrentDictionary<string, long> SentAt { get; } = new();

    public int Requests => _requests;
    private int _requests;

    public Uri Endpoint { get; }

    /// <summary>Foundry's OpenAI/v1 route on the same listener (http://127.0.0.1:port/openai/v1/).</summary>
    public Uri OpenAIv1Endpoint { get; }

    /// <summary>When each request arrived (Unix ms), in arrival order.</summary>
    public ConcurrentQueue<long> Arrivals { get; } = new();

    /// <summary>The path of every request, in arrival order.</summary>
    public ConcurrentQueue<string> Paths { get; } = new();

    public FakeModelEndpoint()
    {
        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}/models");
        OpenAIv1Endpoint = new Uri($"http://127.0.0.1:{port}/openai/v1/");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/models/");
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/openai/v1/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public void Enqueue(Script script) => _scripts.Enqueue(script);

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        Arrivals.Enqueue(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Interlocked.Increment(ref _requests);
        Paths.Enqueue(context.Request.Url?.AbsolutePath ?? "");
        try
        {
            using (var reader = new StreamReader(context.Request.InputStream)) await reader.ReadToEndAsync();
            if (!_scripts.TryDequeue(out var script))
            {
                context.Response.StatusCode = 500;
                context.Response.Close();
                return;
            }
            if (script.FirstTokenDelay > TimeSpan.Zero) await Task.Delay(script.FirstTokenDelay, _stop.Token);
            context.Response.StatusCode = 200;
            context.Response.ContentType = "text/event-stream";
            context.Response.SendChunked = true;
            var output = context.Response.OutputStream;
            for (var i = 0; i < script.Pieces.Count; i++)
            {
                await WriteAsync(output, Chunk(script.Pieces[i], i == 0 ? "assistant" : null, null));
                SentAt[script.Pieces[i]] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                if (script.Pause > TimeSpan.Zero) await Task.Delay(script.Pause, _stop.Token);
            }
            if (script.Finish)
            {
                await WriteAsync(output, Chunk(null, null, "stop"));
                await WriteAsync(output, "[DONE]");
            }
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The app stopped reading (Stop pressed) or the test ended.
            try { context.Response.Abort(); } catch (ObjectDisposedException) { }
        }
    }

    private static async Task WriteAsync(Stream output, string data)
    {
        var bytes = Encoding.UTF8.GetBytes("data: " + data + "\n\n");
        await output.WriteAsync(bytes);
        await output.FlushAsync();
    }

    private static string Chunk(string? content, string? role, string? finishReason)
    {
        var delta = new JsonObject();
        if (role is not null) delta["role"] = role;
        if (content is not null) delta["content"] = content;
        return new JsonObject
        {
            ["id"] = "chatcmpl-e2e",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_790_000_000,
            ["model"] = "fake-gpt-e2e",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["delta"] = delta,
                ["finish_reason"] = finishReason is null ? null : JsonValue.Create(finishReason),
            }),
        }.ToJsonString();
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

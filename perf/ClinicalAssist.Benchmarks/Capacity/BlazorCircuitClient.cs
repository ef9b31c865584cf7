using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MessagePack;

namespace ClinicalAssist.Benchmarks.Capacity;

/// <summary>
/// A minimal Blazor Server client: what blazor.web.js does on the wire, without a browser. It signs in through the
/// Identity form (antiforgery token, cookie), GETs an interactive page, reads the prerendered server component
/// markers (&lt;!--Blazor:{...}--&gt;) and the persisted component state, negotiates /_blazor, speaks the SignalR
/// "blazorpack" protocol (MessagePack hub messages, length-prefixed) over a WebSocket, calls StartCircuit and
/// UpdateRootComponents, acknowledges every JS.RenderBatch with OnRenderCompleted, answers every JS.BeginInvokeJS
/// with a successful null result, and drives navigation the way a link click does (OnLocationChanged, intercepted).
/// The render batches are not applied to a DOM: an interaction is "done" when a batch arrives whose string table
/// holds the text that identifies the target page (e.g. the chart's data-testid).
/// </summary>
public sealed partial class BlazorCircuitClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly Uri _baseAddress;
    private readonly List<(Func<byte[], bool> Match, TaskCompletionSource<long> Done)> _waiters = [];
    private readonly Dictionary<string, TaskCompletionSource<object?>> _invocations = [];
    private Task? _receiveLoop;
    private int _nextInvocationId;

    public string? CircuitId { get; private set; }
    public string? CloseError { get; private set; }
    public bool IsOpen => _socket.State == WebSocketState.Open && CloseError is null;
    public int RenderBatches;
    public int JsCalls;

    private BlazorCircuitClient(Uri baseAddress) => _baseAddress = baseAddress;

    /// <summary>Signs in (one Identity cookie per client), returning a cookie container holding the session.</summary>
    public static async Task<CookieContainer> SignInAsync(Uri baseAddress, string email, string password, CancellationToken ct)
    {
        var cookies = new CookieContainer();
        using var http = NewHttp(baseAddress, cookies);
        var form = await http.GetStringAsync("Account/Login", ct);
        var fields = HiddenInputs(form);
        fields["Input.Email"] = email;
        fields["Input.Password"] = password;
        using var response = await http.PostAsync("Account/Login", new FormUrlEncodedContent(fields), ct);
        var landed = response.RequestMessage?.RequestUri?.AbsolutePath ?? "";
        if (!response.IsSuccessStatusCode || landed.StartsWith("/Account/", StringComparison.OrdinalIgnoreCase)
            || cookies.GetCookies(baseAddress).All(c => c.Name != "ClinicalAssist.Auth"))
        {
            throw new InvalidOperationException($"Sign-in failed: HTTP {(int)response.StatusCode}, landed on {landed}.");
        }
        return cookies;
    }

    /// <summary>GETs <paramref name="path"/> with the session, starts a circuit for it and waits for the first render
    /// batch that contains <paramref name="readyText"/>.</summary>
    public static async Task<BlazorCircuitClient> OpenAsync(Uri baseAddress, CookieContainer cookies, string path, string readyText, TimeSpan timeout, CancellationToken ct)
    {
        using var http = NewHttp(baseAddress, cookies);
        var html = await http.GetStringAsync(path, ct);
        var markers = ComponentMarkers(html);
        if (markers.Count == 0) throw new InvalidOperationException($"No interactive server component markers in {path} (signed out?).");
        var state = ComponentState().Match(html) is { Success: true } s ? s.Groups[1].Value : "";

        using var negotiate = await http.PostAsync("_blazor/negotiate?negotiateVersion=1", content: null, ct);
        negotiate.EnsureSuccessStatusCode();
        using var negotiation = JsonDocument.Parse(await negotiate.Content.ReadAsStringAsync(ct));
        var token = negotiation.RootElement.GetProperty("connectionToken").GetString();

        var client = new BlazorCircuitClient(baseAddress);
        client._socket.Options.Cookies = cookies;
        var ws = new UriBuilder(baseAddress) { Scheme = "ws", Path = "_blazor", Query = "id=" + Uri.EscapeDataString(token!) }.Uri;
        await client._socket.ConnectAsync(ws, ct);
        await client.HandshakeAsync(ct);
        client._receiveLoop = Task.Run(client.ReceiveLoopAsync, CancellationToken.None);

        var pageUri = new Uri(baseAddress, path).ToString();
        var circuitId = await client.InvokeAsync("StartCircuit", [baseAddress.ToString(), pageUri, "[]", state], timeout, ct);
        client.CircuitId = circuitId as string ?? throw new InvalidOperationException("StartCircuit returned no circuit id: " + client.CloseError);

        var operations = markers.Select((m, i) => new
        {
            type = "add",
            ssrComponentId = i + 1,
            marker = new { type = "server", m.prerenderId, m.key, m.sequence, m.descriptor, uniqueId = i },
        });
        var ready = client.WaitForBatch(readyText);
        await client.SendAsync("UpdateRootComponents", [JsonSerializer.Serialize(new { batchId = 1, operations }), state], ct);
        await client.WithTimeout(ready, timeout, "first render of " + path);
        return client;
    }

    /// <summary>A link click inside the app: OnLocationChanged (intercepted), then the time until a render batch holds
    /// <paramref name="readyText"/>. Returns the latency in milliseconds.</summary>
    public async Task<double> NavigateAsync(string path, string readyText, TimeSpan timeout, CancellationToken ct)
    {
        var ready = WaitForBatch(readyText);
        var started = Stopwatch.GetTimestamp();
        await SendAsync("OnLocationChanged", [new Uri(_baseAddress, path).ToString(), null, true], ct);
        var done = await WithTimeout(ready, timeout, "navigation to " + path);
        return Stopwatch.GetElapsedTime(started, done).TotalMilliseconds;
    }

    public Task PingAsync(CancellationToken ct) => SendRawAsync((ref MessagePackWriter w) => { w.WriteArrayHeader(1); w.Write(6); }, ct);

    private Task<long> WaitForBatch(string text)
    {
        var needle = Encoding.UTF8.GetBytes(text);
        var done = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters) _waiters.Add((batch => batch.AsSpan().IndexOf(needle) >= 0, done));
        return done.Task;
    }

    private async Task<T> WithTimeout<T>(Task<T> task, TimeSpan timeout, string what)
    {
        if (await Task.WhenAny(task, Task.Delay(timeout)) != task)
        {
            throw new TimeoutException($"No answer within {timeout.TotalSeconds:0} s to {what}{(CloseError is null ? "" : " (closed: " + CloseError + ")")}.");
        }
        return await task;
    }

    private async Task HandshakeAsync(CancellationToken ct)
    {
        await _socket.SendAsync(Encoding.UTF8.GetBytes("{\"protocol\":\"blazorpack\",\"version\":1}\u001e"), WebSocketMessageType.Binary, true, ct);
        var buffer = new byte[4096];
        var result = await _socket.ReceiveAsync(buffer, ct);
        var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
        var end = text.IndexOf('\u001e', StringComparison.Ordinal);
        if (end < 0 || text[..end] != "{}") throw new InvalidOperationException("SignalR handshake refused: " + text);
        if (end + 1 < result.Count) _pending.Write(buffer.AsSpan(end + 1, result.Count - end - 1));
    }

    private readonly ArrayBufferWriter<byte> _pending = new();

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            ProcessPending();
            while (_socket.State == WebSocketState.Open)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseError ??= "socket closed by the server";
                    break;
                }
                _pending.Write(buffer.AsSpan(0, result.Count));
                if (result.EndOfMessage) ProcessPending();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException)
        {
            CloseError ??= ex.GetType().Name + ": " + ex.Message;
        }
        FailAll(CloseError ?? "closed");
    }

    private void ProcessPending()
    {
        var data = _pending.WrittenMemory;
        var consumed = 0;
        while (TryReadLength(data.Span[consumed..], out var length, out var prefix) && consumed + prefix + length <= data.Length)
        {
            var message = data.Slice(consumed + prefix, length);
            consumed += prefix + length;
            Handle(message);
        }
        var rest = data[consumed..].ToArray();
        _pending.Clear();
        _pending.Write(rest);
    }

    private static bool TryReadLength(ReadOnlySpan<byte> span, out int length, out int prefix)
    {
        length = 0;
        for (prefix = 0; prefix < Math.Min(5, span.Length); prefix++)
        {
            var b = span[prefix];
            length |= (b & 0x7f) << (7 * prefix);
            if ((b & 0x80) == 0)
            {
                prefix++;
                return true;
            }
        }
        return false;
    }

    private void Handle(ReadOnlyMemory<byte> message)
    {
        var reader = new MessagePackReader(message);
        var count = reader.ReadArrayHeader();
        var type = reader.ReadInt32();
        switch (type)
        {
            case 1: // Invocation: [1, headers, invocationId, target, args]
                reader.Skip();
                reader.Skip();
                var target = reader.ReadString();
                var argCount = reader.ReadArrayHeader();
                switch (target)
                {
                    case "JS.RenderBatch":
                        {
                            var batchId = reader.ReadInt64();
                            var bytes = reader.ReadBytes()?.ToArray() ?? [];
                            Interlocked.Increment(ref RenderBatches);
                            var at = Stopwatch.GetTimestamp();
                            _ = SendAsync("OnRenderCompleted", [batchId, null], CancellationToken.None);
                            List<TaskCompletionSource<long>> done = [];
                            lock (_waiters)
                            {
                                for (var i = _waiters.Count - 1; i >= 0; i--)
                                {
                                    if (_waiters[i].Match(bytes))
                                    {
                                        done.Add(_waiters[i].Done);
                                        _waiters.RemoveAt(i);
                                    }
                                }
                            }
                            foreach (var d in done) d.TrySetResult(at);
                            break;
                        }
                    case "JS.BeginInvokeJS":
                        {
                            var taskId = reader.ReadInt64();
                            Interlocked.Increment(ref JsCalls);
                            // Every JS call "succeeds" with null (no DOM here): what a page with no script errors answers.
                            _ = SendAsync("EndInvokeJSFromDotNet", [taskId, true, $"[{taskId},true,null]"], CancellationToken.None);
                            break;
                        }
                    case "JS.Error":
                        CloseError = "JS.Error: " + (argCount > 0 && reader.NextMessagePackType == MessagePackType.String ? reader.ReadString() : "?");
                        FailAll(CloseError);
                        break;
                }
                break;
            case 3: // Completion: [3, headers, invocationId, resultKind, result?]
                {
                    reader.Skip();
                    var id = reader.ReadString()!;
                    var kind = reader.ReadInt32();
                    object? value = null;
                    string? error = null;
                    if (kind == 1) error = reader.ReadString();
                    else if (kind == 3) value = reader.NextMessagePackType == MessagePackType.String ? reader.ReadString() : null;
                    TaskCompletionSource<object?>? pending;
                    lock (_invocations)
                    {
                        _invocations.Remove(id, out pending);
                    }
                    if (error is not null) pending?.TrySetException(new InvalidOperationException(error));
                    else pending?.TrySetResult(value);
                    break;
                }
            case 7: // Close: [7, error, allowReconnect]
                CloseError = "server closed the connection: " + (count > 1 && reader.NextMessagePackType == MessagePackType.String ? reader.ReadString() : "(no error)");
                FailAll(CloseError);
                break;
        }
    }

    private void FailAll(string reason)
    {
        lock (_waiters)
        {
            foreach (var w in _waiters) w.Done.TrySetException(new InvalidOperationException(reason));
            _waiters.Clear();
        }
        lock (_invocations)
        {
            foreach (var i in _invocations.Values) i.TrySetException(new InvalidOperationException(reason));
            _invocations.Clear();
        }
    }

    private async Task<object?> InvokeAsync(string target, object?[] args, TimeSpan timeout, CancellationToken ct)
    {
        var id = Interlocked.Increment(ref _nextInvocationId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_invocations) _invocations[id] = done;
        await SendRawAsync((ref MessagePackWriter w) => WriteInvocation(ref w, id, target, args), ct);
        return await WithTimeout(done.Task, timeout, target);
    }

    private Task SendAsync(string target, object?[] args, CancellationToken ct) =>
        SendRawAsync((ref MessagePackWriter w) => WriteInvocation(ref w, null, target, args), ct);

    private delegate void Writer(ref MessagePackWriter writer);

    private static void WriteInvocation(ref MessagePackWriter w, string? id, string target, object?[] args)
    {
        w.WriteArrayHeader(5);
        w.Write(1);
        w.WriteMapHeader(0);
        if (id is null) w.WriteNil(); else w.Write(id);
        w.Write(target);
        w.WriteArrayHeader(args.Length);
        foreach (var arg in args)
        {
            switch (arg)
            {
                case null: w.WriteNil(); break;
                case string s: w.Write(s); break;
                case long l: w.Write(l); break;
                case int i: w.Write(i); break;
                case bool b: w.Write(b); break;
                default: throw new ArgumentException("Unsupported argument type " + arg.GetType());
            }
        }
    }

    private async Task SendRawAsync(Writer write, CancellationToken ct)
    {
        var body = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(body);
        write(ref writer);
        writer.Flush();
        var frame = new byte[body.WrittenCount + 5];
        var prefix = 0;
        var length = (uint)body.WrittenCount;
        do
        {
            var b = (byte)(length & 0x7f);
            length >>= 7;
            if (length > 0) b |= 0x80;
            frame[prefix++] = b;
        }
        while (length > 0);
        body.WrittenSpan.CopyTo(frame.AsSpan(prefix));
        await _sendLock.WaitAsync(ct);
        try
        {
            if (_socket.State != WebSocketState.Open) return;
            await _socket.SendAsync(frame.AsMemory(0, prefix + body.WrittenCount), WebSocketMessageType.Binary, true, ct);
        }
        catch (WebSocketException ex)
        {
            CloseError ??= ex.Message;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException) { }
        _socket.Abort();
        if (_receiveLoop is not null) await _receiveLoop;
        _socket.Dispose();
        _sendLock.Dispose();
    }

    private static HttpClient NewHttp(Uri baseAddress, CookieContainer cookies) =>
        new(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = true, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(120),
        };

    private static Dictionary<string, string> HiddenInputs(string html)
    {
        var fields = new Dictionary<string, string>();
        foreach (Match input in InputTag().Matches(html))
        {
            var tag = input.Value;
            if (!tag.Contains("type=\"hidden\"", StringComparison.Ordinal)) continue;
            var name = NameAttribute().Match(tag);
            var value = ValueAttribute().Match(tag);
            if (name.Success) fields[WebUtility.HtmlDecode(name.Groups[1].Value)] = value.Success ? WebUtility.HtmlDecode(value.Groups[1].Value) : "";
        }
        return fields;
    }

    private sealed record Marker(string? type, string? prerenderId, JsonElement key, int sequence, string? descriptor);

    private static List<Marker> ComponentMarkers(string html) =>
        [.. MarkerComment().Matches(html)
            .Select(m => JsonSerializer.Deserialize<Marker>(m.Groups[1].Value)!)
            .Where(m => m.type == "server" && m.descriptor is not null)];

    [GeneratedRegex(@"<!--Blazor:(\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex MarkerComment();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:(.*?)-->", RegexOptions.Singleline)]
    private static partial Regex ComponentState();

    [GeneratedRegex(@"<input\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InputTag();

    [GeneratedRegex("name=\"([^\"]*)\"")]
    private static partial Regex NameAttribute();

    [GeneratedRegex("value=\"([^\"]*)\"")]
    private static partial Regex ValueAttribute();
}

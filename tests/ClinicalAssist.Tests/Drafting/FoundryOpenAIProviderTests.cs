using System.Diagnostics;
using System.Threading.Channels;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>
/// The FoundryOpenAI provider (OpenAI .NET SDK 2.x against Foundry's OpenAI/v1 endpoint, wrapped with AsIChatClient)
/// through the product's model pipeline, against a loopback fake of the OpenAI v1 chat-completions protocol.
/// </summary>
public sealed class FoundryOpenAIProviderTests
{
    private const string ApiKey = TestModels.ApiKey;

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static ModelOptions Options(Uri endpoint, int maxRetries = 2, int timeoutSeconds = 5) =>
        TestModels.Options(ModelProvider.FoundryOpenAI, endpoint, maxRetries, timeoutSeconds);

    private static ChatClientDraftModel Model(FakeChatCompletionsServer server, int maxRetries = 2, int timeoutSeconds = 5, TimeProvider? time = null) =>
        TestModels.Create(Options(server.Endpoint, maxRetries, timeoutSeconds), time: time);

    private static Task<FakeChatCompletionsServer> Start(Func<HttpContext, int, Task> handler) =>
        FakeChatCompletionsServer.StartAsync(handler, FakeChatCompletionsServer.OpenAIv1Path);

    private static Task<string> RunAsync(IDraftModel model, List<string>? chunks = null, DraftRequest? request = null) =>
        TestModels.DraftAsync(model, chunks, request);

    private static Dictionary<string, string> Header(string name, string value) => new() { [name] = value };

    [Fact]
    public async Task Streams_the_answer_over_the_v1_route_with_the_deployment_as_model_and_the_answer_schema()
    {
        string[] pieces = ["{\"summary\":", "{\"text\":\"67-year-old female\",", "\"cite\":[\"E1\"]}}"];
        await using var server = await Start((ctx, _) => FakeChatCompletionsServer.WriteOpenAIStreamAsync(ctx, pieces, usage: (900, 120)));
        var model = Model(server);
        var chunks = new List<string>();

        var text = await RunAsync(model, chunks);

        Assert.Equal(string.Concat(pieces), text);
        Assert.Equal(pieces, chunks);
        Assert.True(model.IsAi);
        Assert.Equal(ModelProvider.FoundryOpenAI, model.Provider);
        Assert.Equal("gpt-4o-mini", model.ModelId);

        var request = Assert.Single(server.Requests);
        var expected = DraftingTestData.Request(DraftingTestData.Context()).Prompt;
        Assert.Equal("/openai/v1/chat/completions", request.Path);
        Assert.True(string.IsNullOrEmpty(request.Query), $"no api-version on the v1 route, got {request.Query}");
        Assert.Equal("Bearer " + ApiKey, request.Authorization);
        Assert.Equal("gpt-4o-mini", (string?)request.Body["model"]);
        Assert.True((bool?)request.Body["stream"]);
        Assert.True((bool?)request.Body["stream_options"]?["include_usage"]);
        Assert.Equal(0.1, (double?)request.Body["temperature"] ?? double.NaN, 3);
        Assert.Equal(900, (int?)(request.Body["max_completion_tokens"] ?? request.Body["max_tokens"]));
        var messages = request.Body["messages"]!.AsArray();
        Assert.Equal(("system", expected.System), ((string?)messages[0]!["role"], (string?)messages[0]!["content"]));
        Assert.Equal(("user", expected.User), ((string?)messages[1]!["role"], (string?)messages[1]!["content"]));

        var format = request.Body["response_format"]!;
        Assert.Equal("json_schema", (string?)format["type"]);
        Assert.Equal(DraftAnswerSchema.Name, (string?)format["json_schema"]!["name"]);
        Assert.True((bool?)format["json_schema"]!["strict"]);
        var schema = format["json_schema"]!["schema"]!.ToJsonString();
        Assert.Contains("\"pattern\":\"^" + CitationKey.Grammar.Replace("\\", "\\\\", StringComparison.Ordinal) + "$\"", schema, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_the_reported_model_and_the_usage_of_the_last_chunk()
    {
        await using var server = await Start((ctx, _) =>
            FakeChatCompletionsServer.WriteOpenAIStreamAsync(ctx, ["{}"], usage: (900, 120), model: "gpt-4o-mini-2024-07-18"));
        var request = DraftingTestData.Request(DraftingTestData.Context());

        await RunAsync(Model(server), request: request);

        Assert.Equal(("gpt-4o-mini-2024-07-18", 900, 120), (request.Call.ReportedModelId, request.Call.PromptTokens!.Value, request.Call.CompletionTokens!.Value));
    }

    [Fact]
    public async Task Test_connection_is_a_json_call_that_returns_the_reported_model()
    {
        await using var server = await Start((ctx, _) => FakeChatCompletionsServer.WriteCompletionAsync(ctx, "OK", model: "gpt-4o-mini-2024-07-18"));

        var reported = await Model(server).PingAsync(Ct);

        Assert.Equal("gpt-4o-mini-2024-07-18", reported);
        var body = Assert.Single(server.Requests).Body;
        Assert.NotEqual(true, (bool?)body["stream"]);
    }

    [Fact]
    public async Task Retries_after_a_429_then_succeeds()
    {
        await using var server = await Start((ctx, attempt) => attempt == 1
            ? FakeChatCompletionsServer.WriteErrorAsync(ctx, 429, "429", "Rate limit reached.", Header("retry-after-ms", "10"))
            : FakeChatCompletionsServer.WriteOpenAIStreamAsync(ctx, ["- Potassium high [L6]."]));

        Assert.Equal("- Potassium high [L6].", await RunAsync(Model(server)));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task The_one_retry_layer_waits_as_long_as_the_services_Retry_After_asks()
    {
        var fake = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));
        var time = new ObservedTimeProvider(fake);
        await using var server = await Start((ctx, attempt) => attempt == 1
            ? FakeChatCompletionsServer.WriteErrorAsync(ctx, 429, "429", "Rate limit reached.", Header("Retry-After", "3"))
            : FakeChatCompletionsServer.WriteOpenAIStreamAsync(ctx, ["- Potassium high [L6]."], usage: (10, 5)));

        var run = RunAsync(Model(server, time: time));
        // The pipeline asks the clock for a 3 s wait (the Retry-After) before the second attempt, and sends nothing
        // until that time has passed.
        await foreach (var due in time.Timers.Reader.ReadAllAsync(Ct))
        {
            if (due == TimeSpan.FromSeconds(3)) break;
        }
        Assert.Single(server.Requests);
        fake.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal("- Potassium high [L6].", await run);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [InlineData("Retry-After", "7", 7000)]
    [InlineData("retry-after-ms", "1500", 1500)]
    public async Task A_429_that_persists_is_a_retryable_busy_message_carrying_the_retry_after(string header, string value, int expectedMs)
    {
        await using var server = await Start((ctx, _) => FakeChatCompletionsServer.WriteErrorAsync(ctx, 429, "429", "Rate limit reached.", Header(header, value)));

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server, maxRetries: 0)));

        Assert.True(ex.Retryable);
        Assert.Equal(429, ex.Status);
        Assert.Contains("busy (rate limit reached)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ex.RetryAfter);
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task A_server_error_after_the_retries_is_retryable(int status)
    {
        await using var server = await Start((ctx, _) => FakeChatCompletionsServer.WriteErrorAsync(ctx, status, "server_error", "boom"));

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server, maxRetries: 1)));

        Assert.True(ex.Retryable);
        Assert.Equal(status, ex.Status);
        Assert.Contains($"temporarily unavailable (HTTP {status})", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count); // one retry layer: the SDK's own retries are off
    }

    [Fact]
    public async Task Azures_content_filter_error_is_a_clear_non_retryable_message_without_the_echoed_text()
    {
        await using var server = await Start((ctx, _) => FakeChatCompletionsServer.WriteContentFilterErrorAsync(ctx, "Potassium 6.8 Penicillin V"));

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server)));

        Assert.False(ex.Retryable);
        Assert.Equal(400, ex.Status);
        Assert.Contains("content filter blocked this request", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Potassium", ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.InnerException); // the service's error body (which may echo content) is not kept
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_content_filter_finish_reason_mid_answer_says_the_draft_is_incomplete()
    {
        await using var server = await Start((ctx, _) => FakeChatCompletionsServer.WriteOpenAIStreamAsync(ctx, ["{\"summary\":"], finishReason: "content_filter"));

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server)));

        Assert.False(ex.Retryable);
        Assert.Contains("content filter stopped the draft part-way", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_cut_mid_answer_is_retryable_after_the_partial_text()
    {
        var received = new TaskCompletionSource();
        await using var server = await Start(async (ctx, _) =>
        {
            await FakeChatCompletionsServer.WriteChunksAsync(ctx, ["## Summary\n", "- 67-year-old "], finishReason: null, done: false);
            await received.Task.WaitAsync(ctx.RequestAborted); // the client has both chunks: now cut the connection
            ctx.Abort();
        });
        var chunks = new List<string>();
        var model = Model(server);

        var ex = await Assert.ThrowsAsync<DraftModelException>(async () =>
        {
            await foreach (var chunk in model.StreamAsync(DraftingTestData.Request(DraftingTestData.Context()), Ct))
            {
                chunks.Add(chunk);
                if (chunks.Count == 2) received.TrySetResult();
            }
        });

        Assert.True(ex.Retryable);
        Assert.Equal(["## Summary\n", "- 67-year-old "], chunks);
        Assert.Contains("interrupted before the draft was complete, so the text received is incomplete", ex.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests); // text had streamed: never retried
    }

    [Fact]
    public async Task A_stream_that_ends_without_a_finish_reason_or_DONE_is_treated_as_cut()
    {
        await using var server = await Start((ctx, _) =>
            FakeChatCompletionsServer.WriteChunksAsync(ctx, ["## Summary\n", "- 67-year-old "], finishReason: null, done: false));

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server)));

        Assert.True(ex.Retryable);
        Assert.Contains("interrupted before the draft was complete", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_malformed_chunk_is_a_retryable_malformed_answer()
    {
        await using var server = await Start(async (ctx, _) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await FakeChatCompletionsServer.WriteEventAsync(ctx, FakeChatCompletionsServer.Chunk("{\"summary\":", "assistant", null));
            await ctx.Response.WriteAsync("data: {\"id\": \"x\", \"choices\": [ {broken\n\n", ctx.RequestAborted);
        });

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server)));

        Assert.True(ex.Retryable);
        Assert.Contains("malformed answer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_service_times_out_with_a_retryable_message()
    {
        var answered = new TaskCompletionSource();
        await using var server = await Start(async (ctx, _) =>
        {
            await FakeChatCompletionsServer.WriteChunksAsync(ctx, ["## Summary\n"], finishReason: null, done: false);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ctx.RequestAborted); // until the client gives up
            }
            finally
            {
                answered.TrySetResult();
            }
        });

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server, maxRetries: 0, timeoutSeconds: 1)));

        Assert.True(ex.Retryable);
        Assert.Contains("did not respond within 1 seconds", ex.Message, StringComparison.Ordinal);
        await answered.Task.WaitAsync(Ct); // the connection was closed, not left open
    }

    [Fact]
    public async Task A_finished_answer_completes_even_if_the_service_keeps_the_connection_open()
    {
        await using var server = await Start(async (ctx, _) =>
        {
            await FakeChatCompletionsServer.WriteChunksAsync(ctx, ["{\"summary\":", "\"ok\"}"], finishReason: "stop", done: false);
            await Task.Delay(Timeout.InfiniteTimeSpan, ctx.RequestAborted);
        });
        var watch = Stopwatch.StartNew();

        Assert.Equal("{\"summary\":\"ok\"}", await RunAsync(Model(server, timeoutSeconds: 30)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}"); // the 2 s usage grace, not the 30 s timeout
    }

    [Fact]
    public async Task Stop_is_not_reported_as_a_model_failure_and_closes_the_stream()
    {
        var closed = new TaskCompletionSource();
        await using var server = await Start(async (ctx, _) =>
        {
            await FakeChatCompletionsServer.WriteChunksAsync(ctx, ["## Summary\n"], finishReason: null, done: false);
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, ctx.RequestAborted);
            }
            finally
            {
                closed.TrySetResult();
            }
        });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var model = Model(server, timeoutSeconds: 60);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in model.StreamAsync(DraftingTestData.Request(DraftingTestData.Context()), cts.Token))
                await cts.CancelAsync(); // Stop, while the next read is pending
        });
        await closed.Task.WaitAsync(Ct);
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_retryable_connection_message()
    {
        Uri endpoint;
        await using (var server = await Start((ctx, _) => Task.CompletedTask))
            endpoint = server.Endpoint;

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(TestModels.Create(Options(endpoint, maxRetries: 0, timeoutSeconds: 2))));

        Assert.True(ex.Retryable);
        Assert.Contains("could not be reached", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uses_an_entra_id_token_for_the_configured_scope()
    {
        var endpoint = new InProcessModelEndpoint { Events = [FakeChatCompletionsServer.Chunk("ok [E1].", "assistant", null), FakeChatCompletionsServer.Chunk(null, null, "stop")] };
        var model = TestModels.Create(TestModels.EntraId(ModelProvider.FoundryOpenAI, new Uri("https://foundry.invalid/openai/v1/")), new ScopeEchoingCredential(), _ => endpoint);

        Assert.Equal("ok [E1].", await RunAsync(model));
        var call = Assert.Single(endpoint.Calls);
        Assert.Equal("Bearer token-for:" + ModelOptions.DefaultEntraIdScope, call.Authorization);
        Assert.Equal("https://foundry.invalid/openai/v1/chat/completions", call.Uri);
    }

    /// <summary>The fake clock, telling the test every timer the code under test asks for.</summary>
    internal sealed class ObservedTimeProvider(FakeTimeProvider fake) : TimeProvider
    {
        public Channel<TimeSpan> Timers { get; } = Channel.CreateUnbounded<TimeSpan>();

        public override DateTimeOffset GetUtcNow() => fake.GetUtcNow();

        public override long GetTimestamp() => fake.GetTimestamp();

        public override long TimestampFrequency => fake.TimestampFrequency;

        public override TimeZoneInfo LocalTimeZone => fake.LocalTimeZone;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = fake.CreateTimer(callback, state, dueTime, period);
            Timers.Writer.TryWrite(dueTime);
            return timer;
        }
    }

}

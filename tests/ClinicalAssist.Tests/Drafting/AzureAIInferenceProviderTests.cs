using ClinicalAssist.Data;
using System.Diagnostics;
using ClinicalAssist.Web.Features.Drafting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>The AzureAIInference provider (retired by Microsoft on 2026-08-26, kept) through the product's model pipeline.</summary>
public sealed class AzureAIInferenceProviderTests
{
    private const string ApiKey = TestModels.ApiKey;

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static ChatClientDraftModel Model(FakeChatCompletionsServer server, int maxRetries = 2, int timeoutSeconds = 5, int totalTimeoutSeconds = 180) =>
        TestModels.Create(TestModels.Options(ModelProvider.AzureAIInference, server.Endpoint, maxRetries, timeoutSeconds, totalTimeoutSeconds));

    private static Task<string> RunAsync(IDraftModel model, List<string>? chunks = null) => TestModels.DraftAsync(model, chunks);

    [Fact]
    public async Task Streams_the_answer_and_sends_the_rendered_prompt()
    {
        string[] pieces = ["## Summary\n", "- 67-year-old female ", "admitted with hyperkalaemia [E1].\n", "## Key findings\n- Potassium high [L6]."];
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) => FakeChatCompletionsServer.WriteChunksAsync(ctx, pieces));
        var model = Model(server);
        var chunks = new List<string>();

        var text = await RunAsync(model, chunks);

        Assert.Equal(string.Concat(pieces), text);
        Assert.Equal(pieces, chunks);
        Assert.True(model.IsAi);
        Assert.Equal("gpt-4o-mini", model.ModelId);
        Assert.Equal("Azure AI Foundry · gpt-4o-mini (AI-generated draft)", model.DisplayName);

        var request = Assert.Single(server.Requests);
        var expected = DraftingTestData.Request(DraftingTestData.Context()).Prompt;
        Assert.Equal("/models/chat/completions", request.Path);
        Assert.Equal(ApiKey, request.ApiKey);
        Assert.Equal("gpt-4o-mini", (string?)request.Body["model"]);
        Assert.True((bool?)request.Body["stream"]);
        Assert.Equal(900, (int?)request.Body["max_tokens"]);
        Assert.Equal(0.1, (double?)request.Body["temperature"] ?? double.NaN, 3);
        var messages = request.Body["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("system", (string?)messages[0]!["role"]);
        Assert.Equal(expected.System, (string?)messages[0]!["content"]);
        Assert.Equal("user", (string?)messages[1]!["role"]);
        Assert.Equal(expected.User, (string?)messages[1]!["content"]);
    }

    [Fact]
    public async Task Retries_after_a_429_with_retry_after_then_succeeds()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, attempt) => attempt == 1
            ? FakeChatCompletionsServer.WriteErrorAsync(ctx, 429, "RateLimitReached", "Rate limit reached.", new Dictionary<string, string> { ["Retry-After"] = "0" })
            : FakeChatCompletionsServer.WriteChunksAsync(ctx, ["- Potassium high [L6]."]));

        var text = await RunAsync(Model(server));

        Assert.Equal("- Potassium high [L6].", text);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task The_retry_waits_as_long_as_the_services_Retry_After_asks()
    {
        var arrivals = new System.Collections.Concurrent.ConcurrentQueue<long>();
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, attempt) =>
        {
            arrivals.Enqueue(Stopwatch.GetTimestamp());
            return attempt == 1
                ? FakeChatCompletionsServer.WriteErrorAsync(ctx, 429, "RateLimitReached", "Rate limit reached.", new Dictionary<string, string> { ["Retry-After"] = "2" })
                : FakeChatCompletionsServer.WriteChunksAsync(ctx, ["- Potassium high [L6]."]);
        });

        var text = await RunAsync(Model(server));

        Assert.Equal("- Potassium high [L6].", text);
        var times = arrivals.ToArray();
        Assert.Equal(2, times.Length);
        var waited = Stopwatch.GetElapsedTime(times[0], times[1]);
        // The client's own back-off is 10–50 ms here: only the header can explain a two-second wait.
        Assert.True(waited >= TimeSpan.FromSeconds(1.9), $"waited {waited}");
    }

    [Fact]
    public async Task A_429_that_persists_becomes_a_retryable_busy_message()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) =>
            FakeChatCompletionsServer.WriteErrorAsync(ctx, 429, "RateLimitReached", "Rate limit reached.", new Dictionary<string, string> { ["Retry-After"] = "0" }));

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server, maxRetries: 1)));

        Assert.True(ex.Retryable);
        Assert.Equal(429, ex.Status);
        Assert.Contains("busy", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [InlineData("Retry-After", "7", 7000)]
    [InlineData("retry-after-ms", "1500", 1500)]
    public async Task A_429_carries_the_services_retry_after_for_the_rounds_pacing(string header, string value, int expectedMs)
    {
        // The pipeline paces every caller of the deployment by the service's own Retry-After, read from the response.
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) =>
            FakeChatCompletionsServer.WriteErrorAsync(ctx, 429, "RateLimitReached", "Rate limit reached.", new Dictionary<string, string> { [header] = value }));

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server, maxRetries: 0)));

        Assert.Equal(429, ex.Status);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ex.RetryAfter);
    }

    [Fact]
    public async Task A_content_filter_error_becomes_a_clear_non_retryable_message()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) =>
            FakeChatCompletionsServer.WriteErrorAsync(ctx, 400, "content_filter",
                "The response was filtered due to the prompt triggering content management policy. Potassium 6.8 Penicillin V"));

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server)));

        Assert.False(ex.Retryable);
        Assert.Equal(400, ex.Status);
        Assert.Equal("content_filter", ex.ErrorCode);
        Assert.Contains("content filter blocked this request", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Potassium", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Penicillin", ex.Message, StringComparison.Ordinal);
        Assert.Null(ex.InnerException); // the service's error body (which may echo content) is not kept
        Assert.Single(server.Requests); // not retried
    }

    [Fact]
    public async Task A_server_error_after_retries_is_retryable()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) =>
            FakeChatCompletionsServer.WriteErrorAsync(ctx, 503, "ServiceUnavailable", "Service unavailable."));

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server, maxRetries: 1)));

        Assert.True(ex.Retryable);
        Assert.Equal(503, ex.Status);
        Assert.Contains("temporarily unavailable (HTTP 503)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_cut_mid_answer_is_a_retryable_error_after_the_partial_text()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync(async (ctx, _) =>
        {
            await FakeChatCompletionsServer.WriteChunksAsync(ctx, ["## Summary\n", "- 67-year-old "], finishReason: null, done: false);
            await Task.Delay(50, ctx.RequestAborted);
            ctx.Abort();
        });
        var chunks = new List<string>();

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server), chunks));

        Assert.True(ex.Retryable);
        Assert.Equal(["## Summary\n", "- 67-year-old "], chunks);
        Assert.Contains("incomplete", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_that_ends_without_a_finish_reason_is_treated_as_cut()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) =>
            FakeChatCompletionsServer.WriteChunksAsync(ctx, ["## Summary\n", "- 67-year-old "], finishReason: null, done: false));

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server)));

        Assert.True(ex.Retryable);
        Assert.Contains("interrupted before the draft was complete", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_finished_answer_completes_even_if_the_service_keeps_the_connection_open()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync(async (ctx, _) =>
        {
            await FakeChatCompletionsServer.WriteChunksAsync(ctx, ["{\"summary\":", "\"ok\"}"], finishReason: "stop", done: false);
            await Task.Delay(TimeSpan.FromSeconds(20), ctx.RequestAborted);
        });
        var watch = Stopwatch.StartNew();

        var text = await RunAsync(Model(server, timeoutSeconds: 30));

        Assert.Equal("{\"summary\":\"ok\"}", text);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(6), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Records_the_reported_model_and_token_usage()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) =>
            FakeChatCompletionsServer.WriteChunksAsync(ctx, ["{}"], usage: (900, 120)));
        var request = DraftingTestData.Request(DraftingTestData.Context());

        await DraftingTestData.ReadAllAsync(Model(server).StreamAsync(request, Ct));

        Assert.Equal(("gpt-4o-mini", 900, 120), (request.Call.ReportedModelId, request.Call.PromptTokens!.Value, request.Call.CompletionTokens!.Value));
        var body = Assert.Single(server.Requests).Body;
        Assert.Equal("json_schema", (string?)body["response_format"]!["type"]);
        var schema = body["response_format"]!["json_schema"]!["schema"]!.ToJsonString();
        Assert.Contains("^" + CitationKey.Grammar + "$", System.Text.RegularExpressions.Regex.Unescape(schema), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_draft_cut_off_at_the_token_limit_is_reported()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) =>
            FakeChatCompletionsServer.WriteChunksAsync(ctx, ["## Summary\n", "- 67-year-old "], finishReason: "length"));

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server)));

        Assert.False(ex.Retryable);
        Assert.Contains("maximum length", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silent_service_times_out_with_a_retryable_message()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync(async (ctx, _) =>
        {
            await FakeChatCompletionsServer.WriteChunksAsync(ctx, ["## Summary\n"], finishReason: null, done: false);
            await Task.Delay(TimeSpan.FromSeconds(5), ctx.RequestAborted);
        });
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server, maxRetries: 0, timeoutSeconds: 1)));

        Assert.True(ex.Retryable);
        Assert.Contains("did not respond within 1 seconds", ex.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_service_that_keeps_trickling_text_is_stopped_at_the_total_deadline_keeping_the_partial_text()
    {
        // Each chunk arrives well within the per-read timeout (5 s), so only the whole-call deadline can end this.
        await using var server = await FakeChatCompletionsServer.StartAsync(async (ctx, _) =>
        {
            await FakeChatCompletionsServer.WriteChunksAsync(ctx, ["part 0 "], finishReason: null, done: false);
            for (var i = 1; i < 100; i++)
            {
                await Task.Delay(200, ctx.RequestAborted);
                await FakeChatCompletionsServer.WriteEventAsync(ctx, FakeChatCompletionsServer.Chunk($"part {i} ", null, null));
            }
        });
        var chunks = new List<string>();
        var watch = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(Model(server, timeoutSeconds: 5, totalTimeoutSeconds: 2), chunks));

        Assert.True(ex.Retryable);
        Assert.Equal("deadline", ex.ErrorCode);
        Assert.Contains("did not finish the draft within 2 seconds, so the text received is incomplete", ex.Message, StringComparison.Ordinal);
        Assert.InRange(chunks.Count, 3, 20); // the text received before the deadline reached the caller
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(4.5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task Caller_cancellation_is_not_reported_as_a_model_failure()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync(async (ctx, _) =>
        {
            await FakeChatCompletionsServer.WriteChunksAsync(ctx, ["## Summary\n"], finishReason: null, done: false);
            await Task.Delay(TimeSpan.FromSeconds(5), ctx.RequestAborted);
        });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var model = Model(server, timeoutSeconds: 20);
        var watch = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in model.StreamAsync(DraftingTestData.Request(DraftingTestData.Context()), cts.Token))
                cts.CancelAfter(TimeSpan.FromMilliseconds(100)); // while the next read is pending
        });
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"cancellation took {watch.Elapsed}");
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_a_retryable_connection_message()
    {
        // Bind and release a port so that nothing listens on it.
        Uri endpoint;
        await using (var server = await FakeChatCompletionsServer.StartAsync((ctx, _) => Task.CompletedTask))
            endpoint = server.Endpoint;
        var model = TestModels.Create(TestModels.Options(ModelProvider.AzureAIInference, endpoint, maxRetries: 0, timeoutSeconds: 2));

        var ex = await Assert.ThrowsAsync<DraftModelException>(() => RunAsync(model));

        Assert.True(ex.Retryable);
        Assert.Contains("could not be reached", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Uses_an_entra_id_token_for_the_cognitive_services_scope_when_configured()
    {
        var endpoint = new InProcessModelEndpoint { Events = [FakeChatCompletionsServer.Chunk("ok [E1].", "assistant", null), FakeChatCompletionsServer.Chunk(null, null, "stop")] };
        var model = TestModels.Create(TestModels.EntraId(ModelProvider.AzureAIInference, new Uri("https://foundry.invalid/models")), new ScopeEchoingCredential(), _ => endpoint);

        Assert.Equal("ok [E1].", await RunAsync(model));
        var call = Assert.Single(endpoint.Calls);
        Assert.Equal("Bearer token-for:" + ModelOptions.DefaultEntraIdScope, call.Authorization);
        Assert.Null(call.ApiKey);
    }

    [Theory]
    [InlineData(401, null, false, "credentials")]
    [InlineData(403, null, false, "credentials")]
    [InlineData(404, "DeploymentNotFound", false, "not found")]
    [InlineData(408, null, true, "did not respond")]
    [InlineData(500, null, true, "temporarily unavailable")]
    [InlineData(400, "invalid_request_error", false, "rejected the request (HTTP 400, invalid_request_error)")]
    [InlineData(400, "ResponsibleAIPolicyViolation", false, "content filter")]
    public void Maps_status_codes_to_actionable_messages(int status, string? code, bool retryable, string fragment)
    {
        var ex = ModelFailures.FromStatus(status, code, "", 60);
        Assert.Equal(retryable, ex.Retryable);
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }
}

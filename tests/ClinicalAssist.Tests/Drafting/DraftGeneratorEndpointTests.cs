using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>The whole drafting path — template from the database, budgeted prompt, Azure AI Inference client, a
/// loopback fake endpoint, parsing, verification, storage — for each outcome a clinician can meet.</summary>
public sealed class DraftGeneratorEndpointTests : IAsyncLifetime
{
    private static readonly Actor Clinician = new("u-clin", "Dr Clinician");
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await using var db = _db.CreateDbContext();
        await PromptTemplateStore.SeedAsync(db, _clock, Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private static ModelOptions Options(FakeChatCompletionsServer server, int timeoutSeconds = 5, int maxRetries = 1) => new()
    {
        Provider = ModelProvider.AzureAIInference,
        Endpoint = server.Endpoint,
        Deployment = "gpt-4o-mini",
        ApiKey = "test-key-not-a-secret",
        TopP = 0.9f,
        Seed = 42,
        TimeoutSeconds = timeoutSeconds,
        MaxRetries = maxRetries,
    };

    private DraftGenerator Generator(ModelOptions options) =>
        TestHost.Create(_db, TestModels.Create(options), time: _clock,
            configure: s => s.Replace(ServiceDescriptor.Singleton(Microsoft.Extensions.Options.Options.Create(options)))).Get<DraftGenerator>();

    private async Task<Draft> LoadAsync(Guid id)
    {
        await using var db = _db.CreateDbContext();
        return await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == id, Ct);
    }

    /// <summary>The offline drafter's JSON answer for the test patient: a faithful answer, split into small pieces.</summary>
    private static List<string> FaithfulAnswerPieces()
    {
        var context = DraftingTestData.Context();
        var json = new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero).ComposeDraft(context, CitationIndex.Build(context));
        return [.. OfflineDrafter.Chunks(json)];
    }

    [Fact]
    public async Task Success_streams_a_structured_answer_and_stores_usage_model_id_timings_and_the_reproducible_prompt()
    {
        var pieces = FaithfulAnswerPieces();
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) =>
            FakeChatCompletionsServer.WriteChunksAsync(ctx, pieces, usage: (1234, 321)));
        var shown = new List<string>();

        var id = await Generator(Options(server)).GenerateAsync(DraftingTestData.Context(), "Demo", Clinician,
            p => { if (p.Status == DraftStatus.Generating) shown.Add(p.Text); return Task.CompletedTask; }, Ct);

        var draft = await LoadAsync(id);
        Assert.Equal(DraftStatus.Draft, draft.Status);
        Assert.True(draft.AnswerStructured);
        Assert.Equal(string.Concat(pieces), draft.RawAnswer);
        Assert.StartsWith("## Summary\n- 67-year-old female", draft.GeneratedText, StringComparison.Ordinal);
        Assert.Equal((1234, 321), (draft.PromptTokens, draft.CompletionTokens));
        Assert.Equal("gpt-4o-mini", draft.ReportedModelId);
        Assert.NotNull(draft.TimeToFirstTokenMs);
        Assert.NotNull(draft.DurationMs);
        Assert.Equal(0, draft.MustIncludeOmissionCount);
        var verification = JsonSerializer.Deserialize<DraftVerification>(draft.VerificationJson!)!;
        Assert.True(verification.IsClean);
        // The page saw the draft grow as structured text, never as raw JSON.
        Assert.True(shown.Count(t => t.Length > 0) > pieces.Count / 2);
        Assert.All(shown, t => Assert.DoesNotContain("\"cite\"", t, StringComparison.Ordinal));

        // What was sent: structured output with the schema, parameters from configuration.
        var body = Assert.Single(server.Requests).Body;
        Assert.Equal("json_schema", (string?)body["response_format"]!["type"]);
        Assert.Equal(DraftAnswerSchema.Name, (string?)body["response_format"]!["json_schema"]!["name"]);
        Assert.Equal(0.9, (double?)body["top_p"] ?? double.NaN, 3);
        Assert.Equal(42, (long?)body["seed"]);

        // Reproducibility: template version from the database + stored snapshot → the exact bytes sent.
        var template = await new PromptTemplateStore(_db, new PromptBuilder()).GetAsync(draft.TemplateId, draft.TemplateVersion, Ct);
        var again = PromptBuilder.Render(template!, draft.PromptContextSnapshot!);
        var messages = body["messages"]!.AsArray();
        Assert.True(Encoding.UTF8.GetBytes((string)messages[0]!["content"]!).AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(again.System)));
        Assert.True(Encoding.UTF8.GetBytes((string)messages[1]!["content"]!).AsSpan().SequenceEqual(Encoding.UTF8.GetBytes(again.User)));
        Assert.Equal(draft.PromptHash, PromptBuilder.Hash(again));
        Assert.Contains("\"TokenBudget\":12000", draft.PromptSettingsJson, StringComparison.Ordinal);
        Assert.True(draft.PromptTokensCounted <= 12000);
    }

    [Fact]
    public async Task Each_draft_uses_the_active_model_configuration_its_parameters_and_token_budget()
    {
        var pieces = FaithfulAnswerPieces();
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) => FakeChatCompletionsServer.WriteChunksAsync(ctx, pieces));
        await using var host = TestHost.Create(_db, time: _clock, configure: s => s.Replace(ServiceDescriptor.Singleton(TestModels.Factory())));
        var configurations = host.Get<ModelConfigurationService>();
        var config = new ModelConfiguration
        {
            Id = Guid.NewGuid(), Name = "Foundry test", Provider = ModelProvider.AzureAIInference, Endpoint = server.Endpoint.ToString(),
            Deployment = "gpt-4o", AuthMode = ModelAuthMode.ApiKey, Temperature = 0.3f, MaxTokens = 700, TopP = 0.5f, Seed = 7,
            TokenBudget = 2500, Tokenizer = "o200k_base", TimeoutSeconds = 5, MaxRetries = 0, IsActive = true,
        };
        config.ProtectedApiKey = configurations.ProtectApiKey("test-key-not-a-secret");
        await using (var db = _db.CreateDbContext())
        {
            db.ModelConfigurations.Add(config);
            await db.SaveChangesAsync(Ct);
        }
        var generator = host.Get<DraftGenerator>(); // drafts with the active configuration

        var id = await generator.GenerateAsync(DraftingTestData.Context(), "Demo", Clinician, _ => Task.CompletedTask, Ct);

        var draft = await LoadAsync(id);
        Assert.Equal(DraftStatus.Draft, draft.Status);
        Assert.Equal((config.Id, "Foundry test", "gpt-4o", true), (draft.ModelConfigurationId!.Value, draft.ModelConfigurationName, draft.ModelId, draft.IsAiGenerated));
        var body = Assert.Single(server.Requests).Body;
        Assert.Equal((0.3, 700, 0.5, 7L), ((double)body["temperature"]!, (int)body["max_tokens"]!, (double)body["top_p"]!, (long)body["seed"]!), new ApproxComparer());
        Assert.Contains("\"TokenBudget\":2500", draft.PromptSettingsJson, StringComparison.Ordinal);
        Assert.InRange(draft.PromptTokensCounted!.Value, 1, 2500);
    }

    private sealed class ApproxComparer : IEqualityComparer<(double, int, double, long)>
    {
        public bool Equals((double, int, double, long) x, (double, int, double, long) y) =>
            Math.Abs(x.Item1 - y.Item1) < 1e-3 && x.Item2 == y.Item2 && Math.Abs(x.Item3 - y.Item3) < 1e-3 && x.Item4 == y.Item4;
        public int GetHashCode((double, int, double, long) obj) => obj.Item2;
    }

    [Fact]
    public async Task A_fabricating_model_has_every_fabrication_flagged_in_the_stored_draft()
    {
        const string answer = """
            {"summary":{"text":"67-year-old admitted with hyperkalaemia","cite":["E1"]},
             "problems":[{"problem":"Hyperkalaemia","assessment":"potassium 7.9 mmol/L today","cite":["P2","L6"]}],
             "keyFindings":[{"text":"Troponin 2.3 ng/mL, elevated","cite":["L5"]},
                            {"text":"Lactate 4.1 mmol/L","cite":["L42"]},
                            {"text":"Blood pressure 90/60 mm[Hg]","cite":["V1"]},
                            {"text":"Allergy to penicillin, anaphylaxis","cite":["A1"]},
                            {"text":"Hemoglobin 6.9 g/dL, critically low","cite":["L5"]}],
             "differentials":[{"diagnosis":"Myocardial infarction","likelihood":"high","supporting":[{"text":"ECG changes","cite":["N7"]}],"opposing":[]}],
             "nextSteps":[{"text":"Give amoxicillin 250 mg","cite":["M1"]}],
             "openQuestions":[]}
            """;
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) => FakeChatCompletionsServer.WriteChunksAsync(ctx, [answer]));

        var id = await Generator(Options(server)).GenerateAsync(DraftingTestData.Context(), "Demo", Clinician, _ => Task.CompletedTask, Ct);

        var draft = await LoadAsync(id);
        var warnings = JsonSerializer.Deserialize<List<DraftWarning>>(draft.WarningsJson)!;
        // "4.1 mmol/L" cites only an invented key: there is no source to check it against, so it is reported too.
        string[] fabricatedNumbers = ["7.9 mmol/L", "2.3 ng/mL", "4.1 mmol/L", "90/60 mm[Hg]", "250 mg"];
        string[] fabricatedKeys = ["L42", "N7"];
        foreach (var n in fabricatedNumbers)
            Assert.Contains(warnings, w => w.Kind == "number-mismatch" && w.Message.StartsWith($"\"{n}\"", StringComparison.Ordinal));
        foreach (var k in fabricatedKeys)
            Assert.Contains(warnings, w => w.Kind == "unknown-citation" && w.CitationKey == k);
        // True statements are not flagged.
        Assert.DoesNotContain(warnings, w => w.Message.Contains("6.9 g/dL", StringComparison.Ordinal));
        Assert.Equal(fabricatedNumbers.Length, warnings.Count(w => w.Kind == "number-mismatch"));
        // Omitted: creatinine 2.1 mg/dL (2026-11-22) and... lisinopril is not high-alert; the allergy is mentioned.
        Assert.Contains(warnings, w => w.Kind == "not-mentioned" && w.CitationKey == "L4");
        Assert.Equal(warnings.Count(w => w.Kind == "not-mentioned"), draft.MustIncludeOmissionCount);
    }

    [Fact]
    public async Task An_answer_that_is_not_json_is_kept_as_raw_text_marked_unverified()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) =>
            FakeChatCompletionsServer.WriteChunksAsync(ctx, ["Sure! The patient ", "is a 67-year-old [E1]."]));

        var id = await Generator(Options(server)).GenerateAsync(DraftingTestData.Context(), "Demo", Clinician, _ => Task.CompletedTask, Ct);

        var draft = await LoadAsync(id);
        Assert.Equal(DraftStatus.Draft, draft.Status);
        Assert.False(draft.AnswerStructured);
        Assert.Equal("Sure! The patient is a 67-year-old [E1].", draft.GeneratedText);
        var warnings = JsonSerializer.Deserialize<List<DraftWarning>>(draft.WarningsJson)!;
        Assert.Equal("unverified", warnings[0].Kind);
        Assert.Contains("UNVERIFIED", warnings[0].Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, bool, string> Failures => new()
    {
        { "429", true, "rate limit reached" },
        { "500", true, "temporarily unavailable (HTTP 500)" },
        { "timeout", true, "did not respond within 1 seconds" },
        { "cut", true, "incomplete" },
        { "malformed", true, "malformed answer" },
        { "content-filter", false, "content filter" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Every_failure_leaves_a_stored_failed_draft_with_a_clear_message(string failure, bool retryable, string fragment)
    {
        await using var server = await FakeChatCompletionsServer.StartAsync(async (ctx, attempt) =>
        {
            switch (failure)
            {
                case "429":
                    await FakeChatCompletionsServer.WriteErrorAsync(ctx, 429, "RateLimitReached", "busy", new Dictionary<string, string> { ["Retry-After"] = "0" });
                    break;
                case "500":
                    await FakeChatCompletionsServer.WriteErrorAsync(ctx, 500, "InternalServerError", "boom");
                    break;
                case "timeout":
                    await FakeChatCompletionsServer.WriteChunksAsync(ctx, ["{\"summary\":"], finishReason: null, done: false);
                    await Task.Delay(TimeSpan.FromSeconds(10), ctx.RequestAborted);
                    break;
                case "cut":
                    await FakeChatCompletionsServer.WriteChunksAsync(ctx, ["{\"summary\":{\"text\":\"67-year-old"], finishReason: null, done: false);
                    await Task.Delay(50, ctx.RequestAborted);
                    ctx.Abort();
                    break;
                case "malformed":
                    ctx.Response.ContentType = "text/event-stream";
                    await FakeChatCompletionsServer.WriteEventAsync(ctx, FakeChatCompletionsServer.Chunk("{\"summary\":", "assistant", null));
                    await ctx.Response.WriteAsync("data: {\"id\": \"x\", \"choices\": [ {broken\n\n", ctx.RequestAborted);
                    break;
                case "content-filter":
                    await FakeChatCompletionsServer.WriteErrorAsync(ctx, 400, "content_filter", "filtered");
                    break;
            }
        });
        var options = Options(server, timeoutSeconds: 1, maxRetries: failure == "429" ? 1 : 0);

        var id = await Generator(options).GenerateAsync(DraftingTestData.Context(), "Demo", Clinician, _ => Task.CompletedTask, Ct);

        var draft = await LoadAsync(id);
        Assert.Equal(DraftStatus.Failed, draft.Status);
        Assert.Equal(retryable, draft.FailureRetryable);
        Assert.Contains(fragment, draft.FailureMessage, StringComparison.OrdinalIgnoreCase);
        if (failure == "429") Assert.Equal(2, server.Requests.Count); // retried once after Retry-After, then gave up
        await using var db = _db.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(a => a.DraftId == id && a.Action == AuditActions.DraftFailed, Ct));
    }

    [Fact]
    public async Task Stop_cancels_the_call_at_once_and_keeps_the_partial_draft_as_Stopped()
    {
        var pieces = FaithfulAnswerPieces();
        await using var server = await FakeChatCompletionsServer.StartAsync(async (ctx, _) =>
        {
            ctx.Response.ContentType = "text/event-stream";
            foreach (var piece in pieces)
            {
                await FakeChatCompletionsServer.WriteEventAsync(ctx, FakeChatCompletionsServer.Chunk(piece, null, null));
                await Task.Delay(20, ctx.RequestAborted);
            }
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var stoppedAt = new Stopwatch();
        var progress = 0;

        var id = await Generator(Options(server, timeoutSeconds: 30)).GenerateAsync(DraftingTestData.Context(), "Demo", Clinician, async p =>
        {
            if (p.Status == DraftStatus.Generating && ++progress == 40) { stoppedAt.Start(); await stop.CancelAsync(); }
        }, stop.Token);
        stoppedAt.Stop();

        var draft = await LoadAsync(id);
        Assert.Equal(DraftStatus.Stopped, draft.Status);
        Assert.True(draft.FailureRetryable);
        Assert.StartsWith("## Summary\n- 67-year-old", draft.GeneratedText, StringComparison.Ordinal);
        Assert.True(stoppedAt.Elapsed < Patience.Of(TimeSpan.FromSeconds(1)), $"stop took {stoppedAt.Elapsed}");
    }
}

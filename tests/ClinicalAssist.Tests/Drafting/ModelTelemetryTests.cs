using System.Collections.Concurrent;
using System.Diagnostics;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>The model pipeline's OpenTelemetry layer: one GenAI span per draft call, with the model and the token
/// counts, and no prompt or answer text unless an admin turned content recording on.</summary>
public sealed class ModelTelemetryTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static async Task<(Activity Span, DraftRequest Request)> DraftOnceAsync(ModelProvider provider, bool recordContent)
    {
        // A deployment name of its own, so spans of tests running in parallel are not mixed up.
        var deployment = "telemetry-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DraftModelFactory.TelemetrySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem("gen_ai.request.model") == deployment) spans.Enqueue(activity);
            },
        };
        ActivitySource.AddActivityListener(listener);

        var foundry = provider == ModelProvider.FoundryOpenAI;
        await using var server = await FakeChatCompletionsServer.StartAsync(
            (ctx, _) => FakeChatCompletionsServer.WriteOpenAIStreamAsync(ctx, ["{\"summary\":{\"text\":\"ok\",\"cite\":[\"E1\"]}}"], usage: (900, 120), model: deployment + "-2024"),
            foundry ? FakeChatCompletionsServer.OpenAIv1Path : FakeChatCompletionsServer.BasePath);
        var model = TestModels.Create(new ModelOptions
        {
            Provider = provider, Endpoint = server.Endpoint, Deployment = deployment, ApiKey = "test-key-not-a-secret",
            RecordContentInTelemetry = recordContent,
        });
        var request = DraftingTestData.Request(DraftingTestData.Context());

        await DraftingTestData.ReadAllAsync(model.StreamAsync(request, Ct));

        return (Assert.Single(spans), request);
    }

    private static IEnumerable<string> Texts(Activity span) =>
        span.TagObjects.Select(t => t.Key + "=" + t.Value)
            .Concat(span.Events.SelectMany(e => e.Tags.Select(t => e.Name + ":" + t.Key + "=" + t.Value)));

    [Theory]
    [InlineData(ModelProvider.FoundryOpenAI)]
    [InlineData(ModelProvider.AzureAIInference)]
    public async Task A_draft_produces_a_GenAI_span_with_model_and_token_counts_and_no_prompt_text(ModelProvider provider)
    {
        var (span, request) = await DraftOnceAsync(provider, recordContent: false);

        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.EndsWith("-2024", (string?)span.GetTagItem("gen_ai.response.model"), StringComparison.Ordinal);
        Assert.Equal(900, Convert.ToInt32(span.GetTagItem("gen_ai.usage.input_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(120, Convert.ToInt32(span.GetTagItem("gen_ai.usage.output_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        var texts = Texts(span).ToList();
        Assert.DoesNotContain(texts, t => t.Contains("gen_ai.input.messages", StringComparison.Ordinal) || t.Contains("gen_ai.system_instructions", StringComparison.Ordinal));
        var promptLine = request.Prompt.User.Split('\n', StringSplitOptions.RemoveEmptyEntries).OrderByDescending(l => l.Length).First();
        Assert.DoesNotContain(texts, t => t.Contains(promptLine, StringComparison.Ordinal));
        Assert.DoesNotContain(texts, t => t.Contains(DraftingTestData.Context().Patient.DisplayName, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Prompt_and_answer_text_are_recorded_only_when_an_admin_turns_it_on()
    {
        var (span, _) = await DraftOnceAsync(ModelProvider.FoundryOpenAI, recordContent: true);

        Assert.Contains(Texts(span), t => t.Contains("gen_ai.input.messages", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ModelProvider.FoundryOpenAI)]
    [InlineData(ModelProvider.AzureAIInference)]
    public async Task A_failed_call_is_traced_with_the_status_but_not_the_services_error_text(ModelProvider provider)
    {
        var deployment = "telemetry-" + Guid.NewGuid().ToString("N")[..8];
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DraftModelFactory.TelemetrySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if ((string?)activity.GetTagItem("gen_ai.request.model") == deployment) spans.Enqueue(activity);
            },
        };
        ActivitySource.AddActivityListener(listener);
        var foundry = provider == ModelProvider.FoundryOpenAI;
        await using var server = await FakeChatCompletionsServer.StartAsync(
            (ctx, _) => FakeChatCompletionsServer.WriteContentFilterErrorAsync(ctx, "Potassium 6.8 Penicillin V"),
            foundry ? FakeChatCompletionsServer.OpenAIv1Path : FakeChatCompletionsServer.BasePath);
        var model = TestModels.Create(new ModelOptions
        {
            Provider = provider, Endpoint = server.Endpoint, Deployment = deployment, ApiKey = "test-key-not-a-secret",
        });

        await Assert.ThrowsAsync<DraftModelException>(() => DraftingTestData.ReadAllAsync(model.StreamAsync(DraftingTestData.Request(DraftingTestData.Context()), Ct)));

        var span = Assert.Single(spans);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.NotNull(span.GetTagItem("error.type"));
        Assert.DoesNotContain(Texts(span).Append(span.StatusDescription ?? ""), t => t.Contains("Potassium", StringComparison.Ordinal));
    }
}

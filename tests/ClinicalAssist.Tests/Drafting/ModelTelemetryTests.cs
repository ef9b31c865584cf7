using System.Collections.Concurrent;
using System.Diagnostics;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using Microsoft.AspNetCore.Http;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>The model pipeline's OpenTelemetry layer: one GenAI span per draft call, with the model and the token
/// counts, and no prompt or answer text unless an admin turned content recording on.</summary>
public sealed class ModelTelemetryTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    /// <summary>One draft through a loopback fake of the provider's route, with a deployment name of its own (so
    /// spans of tests running in parallel are not mixed up): the span of its call, the request, and the failure.</summary>
    private static async Task<(Activity Span, DraftRequest Request, Exception? Failure)> DraftOnceAsync(ModelProvider provider,
        Func<HttpContext, string, Task> answer, bool recordContent = false)
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
        await using var server = await FakeChatCompletionsServer.StartAsync((ctx, _) => answer(ctx, deployment),
            provider == ModelProvider.FoundryOpenAI ? FakeChatCompletionsServer.OpenAIv1Path : FakeChatCompletionsServer.BasePath);
        var options = TestModels.Options(provider, server.Endpoint, deployment: deployment);
        options.RecordContentInTelemetry = recordContent;
        var request = DraftingTestData.Request(DraftingTestData.Context());

        var failure = await Record.ExceptionAsync(() => TestModels.DraftAsync(TestModels.Create(options), request: request));

        return (Assert.Single(spans), request, failure);
    }

    private static Task Answer(HttpContext ctx, string deployment) =>
        FakeChatCompletionsServer.WriteOpenAIStreamAsync(ctx, ["{\"summary\":{\"text\":\"ok\",\"cite\":[\"E1\"]}}"], usage: (900, 120), model: deployment + "-2024");

    private static IEnumerable<string> Texts(Activity span) =>
        span.TagObjects.Select(t => t.Key + "=" + t.Value)
            .Concat(span.Events.SelectMany(e => e.Tags.Select(t => e.Name + ":" + t.Key + "=" + t.Value)));

    [Theory]
    [InlineData(ModelProvider.FoundryOpenAI)]
    [InlineData(ModelProvider.AzureAIInference)]
    public async Task A_draft_produces_a_GenAI_span_with_model_and_token_counts_and_no_prompt_text(ModelProvider provider)
    {
        var (span, request, failure) = await DraftOnceAsync(provider, Answer);

        Assert.Null(failure);
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
        var (span, _, failure) = await DraftOnceAsync(ModelProvider.FoundryOpenAI, Answer, recordContent: true);

        Assert.Null(failure);
        Assert.Contains(Texts(span), t => t.Contains("gen_ai.input.messages", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ModelProvider.FoundryOpenAI)]
    [InlineData(ModelProvider.AzureAIInference)]
    public async Task A_failed_call_is_traced_with_the_status_but_not_the_services_error_text(ModelProvider provider)
    {
        var (span, _, failure) = await DraftOnceAsync(provider, (ctx, _) => FakeChatCompletionsServer.WriteContentFilterErrorAsync(ctx, "Potassium 6.8 Penicillin V"));

        Assert.IsType<DraftModelException>(failure);
        Assert.Equal(ActivityStatusCode.Error, span.Status);
        Assert.NotNull(span.GetTagItem("error.type"));
        Assert.DoesNotContain(Texts(span).Append(span.StatusDescription ?? ""), t => t.Contains("Potassium", StringComparison.Ordinal));
    }
}

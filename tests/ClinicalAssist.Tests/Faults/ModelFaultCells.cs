using System.Net;
using System.Net.Sockets;
using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Drafting;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClinicalAssist.Tests.Faults;

/// <summary>
/// Fault matrix, model endpoint rows (one per provider: Azure.AI.Inference on /models, FoundryOpenAI on Foundry's
/// OpenAI/v1 route): the clinician's DraftPanel (bUnit) drafts through the product's model pipeline against the
/// loopback fake endpoint, which fails in one way per cell. For each: the panel shows a clear message,
/// the failed draft is stored Failed with that message (and audited), and the earlier signed draft of the patient —
/// and any text already streamed — is kept.
/// </summary>
public sealed class ModelFaultCells
{
    public static readonly IReadOnlyList<string> Faults =
        ["429 with Retry-After", "500", "503", "timeout", "connection refused", "stream cut mid-answer", "malformed JSON", "content-filter refusal"];

    public const string AzureArea = "Model endpoint";
    public const string FoundryArea = "Model endpoint (FoundryOpenAI)";

    public static TheoryData<string> Cells => [.. Faults];

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static (string Fragment, bool Retryable) Expected(string fault) => fault switch
    {
        "429 with Retry-After" => ("busy (rate limit reached)", true),
        "500" => ("temporarily unavailable (HTTP 500)", true),
        "503" => ("temporarily unavailable (HTTP 503)", true),
        "timeout" => ("did not respond within 1 seconds", true),
        "connection refused" => ("could not be reached", true),
        "stream cut mid-answer" => ("the text received is incomplete", true),
        "malformed JSON" => ("malformed answer", true),
        "content-filter refusal" => ("content filter blocked this request", false),
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public Task Model_endpoint(string fault) => RunAsync(AzureArea, ModelProvider.AzureAIInference, fault);

    [Theory]
    [MemberData(nameof(Cells))]
    public Task Foundry_OpenAI_endpoint(string fault) => RunAsync(FoundryArea, ModelProvider.FoundryOpenAI, fault);

    private static Task RunAsync(string area, ModelProvider provider, string fault) => FaultCell.RunAsync(area, fault, async cell =>
    {
        var foundry = provider == ModelProvider.FoundryOpenAI;
        var shownBeforeCut = new TaskCompletionSource();
        await using var database = await FaultHarness.DatabaseAsync();
        var context = FaultHarness.DemoContext();
        var (earlierId, earlierSigned) = await FaultHarness.SignedDraftAsync(database, context);
        var pieces = OfflineDrafter.Chunks(new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero).ComposeDraft(context, CitationIndex.Build(context))).ToList();

        await using var server = await FakeChatCompletionsServer.StartAsync(async (http, attempt) =>
        {
            switch (fault)
            {
                case "429 with Retry-After":
                    await FakeChatCompletionsServer.WriteErrorAsync(http, 429, "RateLimitReached", "busy", new Dictionary<string, string> { ["Retry-After"] = "1" });
                    break;
                case "500":
                    await FakeChatCompletionsServer.WriteErrorAsync(http, 500, "InternalServerError", "boom");
                    break;
                case "503":
                    await FakeChatCompletionsServer.WriteErrorAsync(http, 503, "ServiceUnavailable", "overloaded");
                    break;
                case "timeout":
                    await FakeChatCompletionsServer.WriteChunksAsync(http, pieces.Take(3), finishReason: null, done: false);
                    await Task.Delay(TimeSpan.FromSeconds(10), http.RequestAborted);
                    break;
                case "stream cut mid-answer":
                    await FakeChatCompletionsServer.WriteChunksAsync(http, pieces.Take(pieces.Count / 2), finishReason: null, done: false);
                    await shownBeforeCut.Task.WaitAsync(http.RequestAborted); // the page shows the text: now cut the connection
                    http.Abort();
                    break;
                case "malformed JSON":
                    http.Response.ContentType = "text/event-stream";
                    await FakeChatCompletionsServer.WriteEventAsync(http, FakeChatCompletionsServer.Chunk("{\"summary\":", "assistant", null));
                    await http.Response.WriteAsync("data: {\"id\": \"x\", \"choices\": [ {broken\n\n", http.RequestAborted);
                    break;
                case "content-filter refusal" when foundry:
                    await FakeChatCompletionsServer.WriteContentFilterErrorAsync(http, "Potassium 6.8");
                    break;
                case "content-filter refusal":
                    await FakeChatCompletionsServer.WriteErrorAsync(http, 400, "content_filter", "filtered");
                    break;
            }
        }, foundry ? FakeChatCompletionsServer.OpenAIv1Path : FakeChatCompletionsServer.BasePath);
        var endpoint = fault == "connection refused" ? ClosedPortEndpoint(foundry ? FakeChatCompletionsServer.OpenAIv1Path + "/" : FakeChatCompletionsServer.BasePath) : server.Endpoint;
        var model = TestModels.Create(new ModelOptions
        {
            Provider = provider, Endpoint = endpoint, Deployment = "gpt-4o-mini", ApiKey = "test-key-not-a-secret",
            TimeoutSeconds = fault == "timeout" ? 1 : 10, MaxRetries = fault == "429 with Retry-After" ? 1 : 0,
        });

        await using var ui = new FaultHarness(database, FaultHarness.Clinician, Roles.Clinician, model);
        var panel = ui.Render<DraftPanel>(p => p.Add(x => x.Context, context));
        panel.WaitForAssertion(() => Assert.Equal("Signed", panel.Find("[data-testid=draft-status]").TextContent.Trim()));
        // The click's task completes with the whole generation: the cut cell first waits for the streamed text.
        var click = panel.InvokeAsync(() => panel.Find("[data-testid=generate-summary]").ClickAsync(new()));
        if (fault == "stream cut mid-answer")
        {
            panel.WaitForAssertion(() =>
            {
                Assert.Equal("Generating", panel.Find("[data-testid=draft-status]").TextContent.Trim());
                Assert.Contains("Summary", panel.Find("[data-testid=draft-text]").TextContent, StringComparison.Ordinal);
            }, Patience.Long);
            shownBeforeCut.TrySetResult();
        }
        await click;
        panel.WaitForAssertion(() => Assert.Equal("Failed", panel.Find("[data-testid=draft-status]").TextContent.Trim()), Patience.Long);

        var (fragment, retryable) = Expected(fault);
        Draft failed;
        await using (var db = database.CreateDbContext())
        {
            failed = await db.Drafts.AsNoTracking().Where(d => d.Id != earlierId).SingleAsync(Ct);
        }
        var shown = panel.Find("[data-testid=draft-message]").TextContent.Trim();
        cell.Message(() => shown, () =>
        {
            Assert.Contains(fragment, shown, StringComparison.Ordinal);
            // "Try again" only where trying again can help (DraftRetry): not after a content-filter refusal.
            Assert.Equal(retryable ? "Try again" : "Generate new summary", panel.Find("[data-testid=generate-summary]").TextContent.Trim());
            if (fault == "429 with Retry-After") Assert.Equal(2, server.Requests.Count); // waited for Retry-After, retried once
        });

        cell.State($"draft {failed.Status}, retryable={failed.FailureRetryable}, message stored, draft.failed audited", () =>
        {
            Assert.Equal(DraftStatus.Failed, failed.Status);
            Assert.Equal(retryable, failed.FailureRetryable);
            Assert.Equal(shown, failed.FailureMessage);
            using var db = database.CreateDbContext();
            Assert.Equal(1, db.AuditEvents.Count(a => a.DraftId == failed.Id && a.Action == AuditActions.DraftFailed));
        });

        var partial = fault is "stream cut mid-answer" or "timeout";
        cell.Kept(partial ? "earlier sign-off unchanged; text streamed before the fault kept and shown" : "earlier sign-off unchanged", () =>
        {
            var earlier = FaultHarness.LoadAsync(database, earlierId).GetAwaiter().GetResult();
            Assert.Equal((DraftStatus.Signed, earlierSigned), (earlier.Status, earlier.SignedText));
            if (partial)
            {
                Assert.Contains("Summary", failed.GeneratedText, StringComparison.Ordinal);
                Assert.Contains("Summary", panel.Find("[data-testid=draft-text]").TextContent, StringComparison.Ordinal);
            }
        });
    });

    /// <summary>An endpoint on a loopback port nothing listens on (connection refused).</summary>
    private static Uri ClosedPortEndpoint(string path)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}{path}");
    }
}

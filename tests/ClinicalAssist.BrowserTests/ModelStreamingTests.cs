using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>The Azure.AI.Inference provider (the /models route; retired by Microsoft on 2026-08-26, kept).</summary>
public sealed class ModelStreamingTests : ModelStreamingJourney
{
    protected override string Provider => "AzureAIInference";
    protected override Uri EndpointOf(FakeModelEndpoint model) => model.Endpoint;
    protected override string ExpectedPath => "/models/chat/completions";
    protected override string ReportFile => "p3-token-latency.txt";
}

/// <summary>The FoundryOpenAI provider (Foundry's OpenAI/v1 route, the default for new configurations).</summary>
public sealed class FoundryOpenAIModelStreamingTests : ModelStreamingJourney
{
    protected override string Provider => "FoundryOpenAI";
    protected override Uri EndpointOf(FakeModelEndpoint model) => model.OpenAIv1Endpoint;
    protected override string ExpectedPath => "/openai/v1/chat/completions";
    protected override string ReportFile => "p3-token-latency-foundry-openai.txt";
}

/// <summary>
/// The app configured with an Azure AI Foundry endpoint (a loopback fake), once per provider: the clinician sees the
/// answer stream in, presses Stop (the draft is kept as Stopped), generates again and signs. The fake stamps each
/// token as it leaves; a MutationObserver in the page stamps when it appears: P3, the latency the app adds between the two.
/// </summary>
public abstract class ModelStreamingJourney : BrowserTestBase
{
    private readonly FakeModelEndpoint _model = new();

    protected abstract string Provider { get; }
    protected abstract Uri EndpointOf(FakeModelEndpoint model);
    protected abstract string ExpectedPath { get; }
    protected abstract string ReportFile { get; }

    /// <summary>The file the app-overhead samples are written to (artifacts/browser-tests).</summary>
    protected string OverheadReportFile => ReportFile.Replace("p3-token-latency", "app-overhead-800ms", StringComparison.Ordinal);

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Model__Provider"] = Provider,
        ["Model__Endpoint"] = EndpointOf(_model).ToString(),
        ["Model__Deployment"] = "fake-gpt-e2e",
        ["Model__ApiKey"] = "e2e-test-key-not-a-secret",
        ["Model__MaxRetries"] = "0",
    };

    private const string ObserveTokens = """
        () => {
          window.__seen = {};
          const record = () => {
            const el = document.querySelector('[data-testid="draft-text"]');
            if (!el) return;
            const now = Date.now();
            for (const m of el.textContent.matchAll(/w\d{3}/g)) if (!(m[0] in window.__seen)) window.__seen[m[0]] = now;
          };
          new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
        }
        """;

    [Fact]
    public async Task Clinician_sees_tokens_stream_stops_generates_again_and_signs()
    {
        try
        {
            var words = Enumerable.Range(1, 80).Select(i => " w" + i.ToString("000", CultureInfo.InvariantCulture)).ToList();
            _model.Enqueue(new FakeModelEndpoint.Script(["{\"summary\":{\"text\":\"Streaming check", .. words], TimeSpan.FromMilliseconds(200), Finish: false));

            var clinician = await SignInAsync("clinician@demo.local");
            await OpenPatientAsync(clinician, 0);
            await Expect(clinician.GetByTestId("drafter-label")).ToContainTextAsync("fake-gpt-e2e");
            await clinician.EvaluateAsync(ObserveTokens);
            await clinician.GetByTestId("generate-summary").ClickAsync();

            // Tokens appear one after another while the status says Generating.
            await Expect(clinician.GetByTestId("draft-text")).ToContainTextAsync("w003", new() { Timeout = Patience.Ms(Patience.Medium) });
            await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Generating");
            await Expect(clinician.GetByTestId("draft-text")).ToContainTextAsync("w030", new() { Timeout = Patience.Ms(Patience.Medium) });
            var seen = await clinician.EvaluateAsync<Dictionary<string, long>>("() => window.__seen");

            await clinician.GetByTestId("stop-generation").ClickAsync();
            await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Stopped", new() { Timeout = Patience.Ms(Patience.Short) });
            await Expect(clinician.GetByTestId("draft-text")).ToContainTextAsync("Streaming check w001 w002");
            await Expect(clinician.GetByTestId("draft-message")).ToContainTextAsync("Stopped by the clinician");
            var stoppedText = await clinician.GetByTestId("draft-text").InnerTextAsync();
            Assert.DoesNotContain("w080", stoppedText, StringComparison.Ordinal);

            // P3: token → page latency for the tokens seen before Stop.
            var latencies = seen
                .Where(s => _model.SentAt.ContainsKey(" " + s.Key))
                .Select(s => (double)(s.Value - _model.SentAt[" " + s.Key]))
                .Order().ToList();
            Assert.True(latencies.Count >= 25, $"only {latencies.Count} tokens measured");
            var p50 = latencies[(int)Math.Ceiling(0.50 * latencies.Count) - 1];
            var p95 = latencies[(int)Math.Ceiling(0.95 * latencies.Count) - 1];
            var report = string.Create(CultureInfo.InvariantCulture,
                $"P3 token->page latency ({Provider}; Chromium, MutationObserver): n={latencies.Count} p50={p50:0} ms p95={p95:0} ms max={latencies[^1]:0} ms min={latencies[0]:0} ms; load average {LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
            Directory.CreateDirectory(RepoPaths.ArtifactsDirectory);
            await File.WriteAllTextAsync(Path.Combine(RepoPaths.ArtifactsDirectory, ReportFile), report + "\n" + JsonSerializer.Serialize(latencies) + "\n", TestContext.Current.CancellationToken);
            TestContext.Current.TestOutputHelper?.WriteLine(report);
            // Functional check in every run: tokens reach the page as they arrive (a page that only updated at the end
            // would show seconds here). The P3 goal itself (p95 ≤ 50 ms) is a measurement for a quiet machine:
            // CLINICALASSIST_P3_GOAL=1 enforces it (docs/performance.md, P3), so a busy CI machine cannot make it flaky.
            Assert.True(p50 <= 250, report);
            if (Environment.GetEnvironmentVariable("CLINICALASSIST_P3_GOAL") == "1")
            {
                Assert.True(p95 <= 50, report);
            }

            // Generate again: a complete structured answer, then attest and sign.
            const string answer = """
                {"summary":{"text":"Inpatient under review; answer from the fake endpoint","cite":["E1"]},
                 "problems":[],"keyFindings":[{"text":"Encounter in progress","cite":["E1"]}],"differentials":[],
                 "nextSteps":[{"text":"Review the record before signing","cite":["E1"]}],"openQuestions":[{"text":"Need: urine output","cite":[]}]}
                """;
            _model.Enqueue(new FakeModelEndpoint.Script([.. Enumerable.Range(0, (answer.Length + 11) / 12).Select(i => answer.Substring(i * 12, Math.Min(12, answer.Length - i * 12)))], TimeSpan.FromMilliseconds(15)));
            await Expect(clinician.GetByTestId("generate-summary")).ToHaveTextAsync("Try again");
            await clinician.GetByTestId("generate-summary").ClickAsync();
            await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Medium) });
            await Expect(clinician.GetByTestId("draft-text")).ToContainTextAsync("answer from the fake endpoint");
            await Expect(clinician.GetByTestId("draft-text")).ToContainTextAsync("Need: urine output");
            Assert.True(await clinician.GetByTestId("citation-chip").CountAsync() >= 3);
            // The draft's warnings: critical ones to acknowledge, or the folded review items (docs/adr/0029).
            await Expect(clinician.Locator("[data-critical=true]").Or(clinician.GetByTestId("review-items")).First).ToBeVisibleAsync();
            await ScanAsync(clinician, "model draft with warnings");
            await clinician.GetByLabel("I reviewed this draft against the record").CheckAsync();
            await AcknowledgeCriticalWarningsAsync(clinician);
            await clinician.GetByTestId("sign-draft").ClickAsync();
            await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Signed");
            Assert.Equal(2, _model.Requests);
            Assert.Equal([ExpectedPath, ExpectedPath], _model.Paths.ToArray());
            AssertNoSeriousAccessibilityViolations();
        }
        finally
        {
            await _model.DisposeAsync();
        }
    }

    /// <summary>The fake model's fixed time to first token.</summary>
    private static readonly TimeSpan FirstToken = TimeSpan.FromMilliseconds(800);

    private const string ObserveClicksAndFirstTokens = """
        () => {
          window.__clicks = [];
          window.__first = {};
          document.addEventListener('click', e => {
            if (e.target.closest('[data-testid="generate-summary"]')) window.__clicks.push(Date.now());
          }, true);
          const record = () => {
            const el = document.querySelector('[data-testid="draft-text"]');
            if (!el) return;
            const now = Date.now();
            for (const m of el.textContent.matchAll(/ovh\d{2}/g)) if (!(m[0] in window.__first)) window.__first[m[0]] = now;
          };
          new MutationObserver(record).observe(document.body, { subtree: true, childList: true, characterData: true });
        }
        """;

    /// <summary>
    /// App overhead (issue 19): the fake model waits a fixed 800 ms before its first token; the page stamps the
    /// Generate click and the moment that token is in the DOM. Overhead = (first token on the page − click) − 800 ms.
    /// The first draft after start (cold) is reported apart. Every run checks that the measurement holds together
    /// (the token never shows before the fake sent it, each draft completes) and enforces p95 ≤ 100 ms over 20 samples.
    /// A measurement for a quiet machine (docs/performance.md), run with CLINICALASSIST_P3_GOAL=1; the everyday suite
    /// skips it — streaming itself is checked there by the journey above.
    /// </summary>
    [Fact]
    public async Task App_overhead_from_the_Generate_click_to_the_first_token_on_the_page()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("CLINICALASSIST_P3_GOAL") == "1",
            "A quiet-machine measurement: set CLINICALASSIST_P3_GOAL=1 to run it (docs/performance.md).");
        try
        {
            const int samples = 20;
            var clinician = await SignInAsync("clinician@demo.local");
            await OpenPatientAsync(clinician, 0);
            await Expect(clinician.GetByTestId("drafter-label")).ToContainTextAsync("fake-gpt-e2e");
            await clinician.EvaluateAsync(ObserveClicksAndFirstTokens);

            var overheads = new List<double>();
            var beforeCall = new List<double>();
            for (var i = 0; i <= samples; i++) // draft 0: the cold one
            {
                var marker = "ovh" + i.ToString("00", CultureInfo.InvariantCulture);
                _model.Enqueue(new FakeModelEndpoint.Script(
                    ["{\"summary\":{\"text\":\"Overhead check " + marker, "\",\"cite\":[\"E1\"]},\"problems\":[],\"keyFindings\":[],\"differentials\":[],\"nextSteps\":[],\"openQuestions\":[]}"],
                    TimeSpan.Zero, FirstTokenDelay: FirstToken));
                await Expect(clinician.GetByTestId("generate-summary")).ToBeEnabledAsync();
                await clinician.GetByTestId("generate-summary").ClickAsync();
                await Expect(clinician.GetByTestId("draft-text")).ToContainTextAsync("Overhead check " + marker, new() { Timeout = Patience.Ms(Patience.Medium) });
                await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Medium) });

                var clicks = await clinician.EvaluateAsync<long[]>("() => window.__clicks");
                var firstOnPage = await clinician.EvaluateAsync<long>($"() => window.__first['{marker}']");
                Assert.Equal(i + 1, clicks.Length);
                var sentAt = _model.SentAt["{\"summary\":{\"text\":\"Overhead check " + marker];
                var arrivedAt = _model.Arrivals.ElementAt(i);
                // The measurement holds together: the fake waited its 800 ms after the request arrived, the token
                // was on the page only after that, and so click → page is at least the model's time to first token.
                Assert.True(sentAt - arrivedAt >= FirstToken.TotalMilliseconds - 5, $"the fake sent after {sentAt - arrivedAt} ms");
                Assert.True(firstOnPage - arrivedAt >= FirstToken.TotalMilliseconds - 5, $"on the page {firstOnPage - arrivedAt} ms after the request");
                Assert.True(firstOnPage - clicks[^1] >= FirstToken.TotalMilliseconds - 5, $"click → page {firstOnPage - clicks[^1]} ms");
                if (i == 0) continue;
                overheads.Add(firstOnPage - clicks[^1] - FirstToken.TotalMilliseconds);
                beforeCall.Add(arrivedAt - clicks[^1]);
            }
            Assert.Equal(samples + 1, _model.Requests);
            overheads.Sort();
            double P(List<double> v, double q) => v.Order().ElementAt((int)Math.Ceiling(q * v.Count) - 1);
            var report = string.Create(CultureInfo.InvariantCulture,
                $"App overhead, Generate click -> first token on the page - {FirstToken.TotalMilliseconds:0} ms ({Provider}; Chromium): n={overheads.Count} p50={P(overheads, 0.5):0} ms p95={P(overheads, 0.95):0} ms max={overheads[^1]:0} ms min={overheads[0]:0} ms; of which click -> request at the model p50={P(beforeCall, 0.5):0} ms p95={P(beforeCall, 0.95):0} ms; load average {LoadAverage()}; {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
            Directory.CreateDirectory(RepoPaths.ArtifactsDirectory);
            await File.WriteAllTextAsync(Path.Combine(RepoPaths.ArtifactsDirectory, OverheadReportFile), report + "\n" + JsonSerializer.Serialize(overheads) + "\n", TestContext.Current.CancellationToken);
            TestContext.Current.TestOutputHelper?.WriteLine(report);
            Assert.True(P(overheads, 0.95) <= 100, report);
        }
        finally
        {
            await _model.DisposeAsync();
        }
    }

    private static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }
}

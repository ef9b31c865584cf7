using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// The app configured with the FoundryOpenAI provider (Foundry's OpenAI/v1 route, a loopback fake): the clinician
/// drafts once through it and the structured, cited answer is shown. The Azure.AI.Inference journey is
/// <see cref="ModelStreamingTests"/>.
/// </summary>
public sealed class FoundryOpenAIJourneyTests : BrowserTestBase
{
    private readonly FakeModelEndpoint _model = new();

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Model__Provider"] = "FoundryOpenAI",
        ["Model__Endpoint"] = _model.OpenAIv1Endpoint.ToString(),
        ["Model__Deployment"] = "fake-gpt-v1",
        ["Model__ApiKey"] = "e2e-test-key-not-a-secret",
        ["Model__MaxRetries"] = "0",
    };

    [Fact]
    public async Task Clinician_drafts_once_through_the_OpenAI_v1_endpoint()
    {
        try
        {
            const string answer = """
                {"summary":{"text":"Inpatient under review; answer from the OpenAI v1 fake","cite":["E1"]},
                 "problems":[],"keyFindings":[{"text":"Encounter in progress","cite":["E1"]}],"differentials":[],
                 "nextSteps":[{"text":"Review the record before signing","cite":["E1"]}],"openQuestions":[]}
                """;
            _model.Enqueue(new FakeModelEndpoint.Script([.. Enumerable.Range(0, (answer.Length + 15) / 16).Select(i => answer.Substring(i * 16, Math.Min(16, answer.Length - i * 16)))], TimeSpan.FromMilliseconds(10)));

            var clinician = await SignInAsync("clinician@demo.local");
            await OpenPatientAsync(clinician, 0);
            await Expect(clinician.GetByTestId("drafter-label")).ToContainTextAsync("fake-gpt-v1");
            await clinician.GetByTestId("generate-summary").ClickAsync();

            await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = 30_000 });
            await Expect(clinician.GetByTestId("draft-text")).ToContainTextAsync("answer from the OpenAI v1 fake");
            Assert.True(await clinician.GetByTestId("citation-chip").CountAsync() >= 3);
            Assert.Equal(["/openai/v1/chat/completions"], _model.Paths.ToArray());
        }
        finally
        {
            await _model.DisposeAsync();
        }
    }
}

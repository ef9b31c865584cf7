using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// A record whose name, problem, medication and clinical note carry script payloads (&lt;script&gt;, onerror/onload
/// handlers, javascript: links, an iframe). The chart shows them and the offline drafter quotes them into its answer;
/// none of them ever runs: the flags the payloads would set stay unset, and the browser reports no CSP violation
/// (which would mean markup got as far as the policy).
/// </summary>
public sealed class ScriptPayloadTests : BrowserTestBase
{
    private const string PatientId = "payload-1";
    private readonly SecurityPolicyWatcher _watcher = new();
    private string RecordDirectory => Path.Combine(DataDirectory, "records");

    protected override IReadOnlyDictionary<string, string> Settings
    {
        get
        {
            WriteRecord();
            return new Dictionary<string, string> { ["Fhir__Source"] = "Directory", ["Fhir__DirectoryPath"] = RecordDirectory };
        }
    }

    protected override Task PrepareContextAsync(IBrowserContext context) => _watcher.AttachAsync(context);

    private static readonly string[] Flags = ["name", "problem", "medication", "note", "link", "iframe", "markdown"];

    private static string Payload(string flag) => flag switch
    {
        "name" => "<img src=x onerror=\"window.__xss_name=1\">",
        "problem" => "<img src=x onerror=\"window.__xss_problem=1\">Hypertension",
        "medication" => "<svg onload=\"window.__xss_medication=1\"></svg>Lisinopril 10 MG Oral Tablet",
        _ => "",
    };

    private const string NoteText =
        "Patient seen on the ward. <script>window.__xss_note=1</script> " +
        "[open the results](javascript:window.__xss_link=1) <iframe src=\"javascript:window.__xss_iframe=1\"></iframe> " +
        "![x](x \"onerror=window.__xss_markdown=1\") Plan: continue current treatment.";

    private void WriteRecord()
    {
        Directory.CreateDirectory(RecordDirectory);
        var subject = new JsonObject { ["reference"] = $"Patient/{PatientId}" };
        JsonObject Entry(JsonObject resource) => new() { ["fullUrl"] = $"urn:test:{resource["resourceType"]}/{resource["id"]}", ["resource"] = resource };
        var bundle = new JsonObject
        {
            ["resourceType"] = "Bundle",
            ["type"] = "collection",
            ["entry"] = new JsonArray(
                Entry(new JsonObject
                {
                    ["resourceType"] = "Patient", ["id"] = PatientId, ["gender"] = "female", ["birthDate"] = "1951-03-04",
                    ["identifier"] = new JsonArray(new JsonObject
                    {
                        ["type"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v2-0203", ["code"] = "MR" }) },
                        ["value"] = "PAYLOAD-MRN-1",
                    }),
                    ["name"] = new JsonArray(new JsonObject { ["family"] = "Payload" + Payload("name"), ["given"] = new JsonArray("Tess") }),
                }),
                Entry(new JsonObject
                {
                    ["resourceType"] = "Encounter", ["id"] = "enc-1", ["status"] = "in-progress", ["subject"] = subject.DeepClone(),
                    ["class"] = new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/v3-ActCode", ["code"] = "IMP" },
                    ["period"] = new JsonObject { ["start"] = DateTimeOffset.UtcNow.AddDays(-2).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) },
                }),
                Entry(new JsonObject
                {
                    ["resourceType"] = "Condition", ["id"] = "cond-1", ["subject"] = subject.DeepClone(),
                    ["clinicalStatus"] = new JsonObject { ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://terminology.hl7.org/CodeSystem/condition-clinical", ["code"] = "active" }) },
                    ["code"] = new JsonObject { ["text"] = Payload("problem"), ["coding"] = new JsonArray(new JsonObject { ["system"] = "http://snomed.info/sct", ["code"] = "38341003", ["display"] = Payload("problem") }) },
                    ["onsetDateTime"] = "2019-05-01",
                }),
                Entry(new JsonObject
                {
                    ["resourceType"] = "MedicationRequest", ["id"] = "med-1", ["status"] = "active", ["intent"] = "order", ["subject"] = subject.DeepClone(),
                    ["medicationCodeableConcept"] = new JsonObject { ["text"] = Payload("medication") },
                    ["authoredOn"] = "2024-01-01",
                }),
                Entry(new JsonObject
                {
                    ["resourceType"] = "DocumentReference", ["id"] = "note-1", ["status"] = "current", ["subject"] = subject.DeepClone(),
                    ["description"] = "Ward round note <img src=x onerror=\"window.__xss_note=1\">",
                    ["date"] = DateTimeOffset.UtcNow.AddHours(-3).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                    ["content"] = new JsonArray(new JsonObject
                    {
                        ["attachment"] = new JsonObject { ["contentType"] = "text/plain", ["data"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(NoteText)) },
                    }),
                })),
        };
        File.WriteAllText(Path.Combine(RecordDirectory, "payload.json"), bundle.ToJsonString());
    }

    private static async Task AssertNoPayloadRanAsync(IPage page)
    {
        foreach (var flag in Flags)
        {
            Assert.Null(await page.EvaluateAsync<int?>($"() => window.__xss_{flag} ?? null"));
        }
    }

    [Fact]
    public async Task Script_in_a_record_and_in_the_drafted_answer_is_shown_as_text_and_never_executes()
    {
        var clinician = await SignInAsync("clinician@demo.local");
        await clinician.GotoAsync(Url("patients"));
        await clinician.WaitForInteractiveAsync();
        var link = clinician.GetByTestId("patient-link").Filter(new() { HasText = "Payload" });
        await Expect(link).ToContainTextAsync("<img src=x onerror="); // the name is text, not an element
        await link.ClickAsync();
        await Expect(clinician.GetByTestId("problem").First).ToContainTextAsync("onerror=");
        await Expect(clinician.GetByTestId("medication").First).ToContainTextAsync("<svg onload=");
        await AssertNoPayloadRanAsync(clinician);

        await clinician.GetByTestId("generate-summary").ClickAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Long) });
        var answer = await clinician.GetByTestId("draft-text").InnerTextAsync();
        Assert.Contains("onerror=", answer); // the drafted answer quotes the payloads as text
        Assert.Contains("<svg onload=", answer);

        // Citations open the FHIR resources (JSON with the payload strings) in a dialog.
        var chips = clinician.GetByTestId("citation-chip");
        for (var i = 0; i < Math.Min(await chips.CountAsync(), 4); i++)
        {
            await chips.Nth(i).ClickAsync();
            await Expect(clinician.GetByTestId("citation-resource")).ToContainTextAsync("\"resourceType\"");
            await clinician.GetByTestId("citation-close").ClickAsync();
            await Expect(clinician.GetByTestId("citation-resource")).ToHaveCountAsync(0);
        }

        // Edited into the legal record and signed, the text renders as text on the record page too.
        await clinician.GetByTestId("edit-draft").ClickAsync();
        var editor = clinician.GetByTestId("draft-editor");
        await editor.FillAsync(await editor.InputValueAsync() + "\n<img src=x onerror=\"window.__xss_name=1\"> [x](javascript:window.__xss_link=1)");
        await clinician.GetByLabel("I reviewed this draft against the record").CheckAsync();
        await AcknowledgeCriticalWarningsAsync(clinician);
        await clinician.GetByTestId("sign-draft").ClickAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Signed");
        await Expect(clinician.GetByTestId("draft-text").First).ToContainTextAsync("javascript:window.__xss_link=1");
        await Expect(clinician.Locator("a[href^='javascript:'], iframe, img[src='x'], svg[onload]")).ToHaveCountAsync(0);
        await AssertNoPayloadRanAsync(clinician);
        await SignOutAsync(clinician);

        var reviewer = await SignInAsync("reviewer@demo.local");
        await reviewer.GotoAsync(Url("review"));
        await reviewer.WaitForInteractiveAsync();
        await reviewer.GetByTestId("review-link").Filter(new() { HasText = "Payload" }).ClickAsync();
        await Expect(reviewer.GetByTestId("signed-by")).ToBeVisibleAsync();
        await Expect(reviewer.Locator("a[href^='javascript:'], iframe, img[src='x'], svg[onload]")).ToHaveCountAsync(0);
        await AssertNoPayloadRanAsync(reviewer);

        Assert.True(_watcher.Violations.Count == 0, "CSP violations (markup reached the browser):\n" + string.Join("\n", _watcher.Violations));
        Assert.True(_watcher.PageErrors.Count == 0, "Page errors:\n" + string.Join("\n", _watcher.PageErrors));
    }
}

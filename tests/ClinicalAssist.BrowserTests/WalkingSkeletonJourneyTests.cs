using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// The walking skeleton as a new user walks it, in a real Chromium against the real app on its embedded defaults:
/// clinician generates (streamed), opens a citation, edits, attests and signs; rejects another with a reason;
/// reviewer approves; admin sees users and model settings; after a restart everything is still there.
/// Every page visited is scanned with axe: no serious or critical violations.
/// </summary>
public sealed class WalkingSkeletonJourneyTests : BrowserTestBase
{
    [Fact]
    public async Task Clinician_signs_reviewer_approves_admin_sees_settings_and_all_survives_a_restart()
    {
        // --- Clinician ---------------------------------------------------------------------------------
        var clinician = await SignInAsync("clinician@demo.local");
        await clinician.GetByTestId("go-patients").ClickAsync();
        await Expect(clinician).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/patients$"), new() { Timeout = Patience.Ms(Patience.Medium) });
        await clinician.WaitForInteractiveAsync();
        await Expect(clinician.GetByTestId("patient-link").First).ToBeVisibleAsync();
        Assert.True(await clinician.GetByTestId("patient-link").CountAsync() >= 12, "the demo ward has at least 12 patients");
        var identifiers = (await clinician.GetByTestId("patient-link").AllInnerTextsAsync())
            .Concat(await clinician.Locator("td[data-label=MRN]").AllInnerTextsAsync())
            .Select(t => t.Trim()).Where(t => t.Length > 0).ToList();
        Assert.True(identifiers.Count >= 24, "names and MRNs of every demo patient");
        await ScanAsync(clinician, "patient list");

        var signedPatient = await clinician.GetByTestId("patient-link").Nth(0).InnerTextAsync();
        await clinician.GetByTestId("patient-link").Nth(0).ClickAsync();
        await Expect(clinician.GetByTestId("patient-name")).ToHaveTextAsync(signedPatient);
        await Expect(clinician.GetByTestId("problem").First).ToBeVisibleAsync();
        await Expect(clinician.GetByTestId("labs")).ToBeVisibleAsync();
        await Expect(clinician.GetByTestId("vitals")).ToBeVisibleAsync();
        await Expect(clinician.GetByTestId("drafter-label")).ToContainTextAsync("Offline rule-based draft — no AI model");
        await ScanAsync(clinician, "patient chart");

        // Generate: the text must arrive progressively (seen while still Generating), then settle as a Draft.
        await clinician.GetByTestId("generate-summary").ClickAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Generating");
        await Expect(clinician.GetByTestId("draft-text")).Not.ToBeEmptyAsync();
        var partial = await clinician.GetByTestId("draft-text").InnerTextAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Long) });
        var full = await clinician.GetByTestId("draft-text").InnerTextAsync();
        Assert.True(full.Length > partial.Length, "the draft streamed in: text seen while generating was a part of the final text");
        Assert.True(await clinician.GetByTestId("citation-chip").CountAsync() >= 5, "statements carry citation chips");
        await clinician.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.ArtifactsDirectory, "patient-view-with-draft.png") });

        // A citation chip opens the FHIR resource it points at.
        await clinician.GetByTestId("citation-chip").First.ClickAsync();
        await Expect(clinician.GetByTestId("citation-resource")).ToContainTextAsync("\"resourceType\"");
        await ScanAsync(clinician, "citation dialog");
        // Escape closes the dialog once focus is inside it (MudBlazor's key handler listens on the dialog).
        await clinician.GetByTestId("citation-resource").FocusAsync();
        await clinician.Keyboard.PressAsync("Escape");
        await Expect(clinician.GetByTestId("citation-resource")).ToHaveCountAsync(0);

        // Edit, attest, sign (double click: exactly one sign-off).
        await clinician.GetByTestId("edit-draft").ClickAsync();
        var editor = clinician.GetByTestId("draft-editor");
        var text = await editor.InputValueAsync();
        await editor.FillAsync(text + "\nClinician addition: family updated at the bedside.");
        // Check the edit against a source before signing: previewing and opening a citation keep the edit.
        await clinician.GetByRole(AriaRole.Button, new() { Name = "Preview with sources" }).ClickAsync();
        await clinician.GetByTestId("citation-chip").First.ClickAsync();
        await Expect(clinician.GetByTestId("citation-resource")).ToBeVisibleAsync();
        await clinician.GetByTestId("citation-close").ClickAsync();
        await Expect(clinician.GetByTestId("citation-resource")).ToHaveCountAsync(0);
        await Expect(clinician.GetByTestId("draft-text")).ToContainTextAsync("family updated at the bedside");
        await clinician.GetByLabel("I reviewed this draft against the record").CheckAsync();
        await AcknowledgeCriticalWarningsAsync(clinician);
        await clinician.GetByTestId("sign-draft").DblClickAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Signed");
        await Expect(clinician.GetByTestId("decision-info")).ToContainTextAsync("Signed by Dr Alex Morgan");
        await Expect(clinician.GetByTestId("draft-text")).ToContainTextAsync("family updated at the bedside");
        await clinician.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.ArtifactsDirectory, "signed-draft.png"), FullPage = true });
        await ScanAsync(clinician, "signed draft");

        // Reject another patient's draft with a coded reason and a comment.
        await clinician.GotoAsync(new Uri(App.BaseAddress, "patients").ToString());
        await clinician.WaitForInteractiveAsync();
        await clinician.GetByTestId("patient-link").Nth(1).ClickAsync();
        await clinician.GetByTestId("generate-summary").ClickAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Long) });
        await clinician.GetByTestId("reject-draft").ClickAsync();
        await clinician.GetByRole(AriaRole.Radio, new() { Name = "Omission" }).CheckAsync();
        await clinician.GetByTestId("reason-comment").FillAsync("Misses the overnight fall.");
        await ScanAsync(clinician, "reject form");
        await clinician.GetByTestId("reason-submit").ClickAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Rejected");
        await Expect(clinician.GetByTestId("decision-info")).ToContainTextAsync("Omission");
        await SignOutAsync(clinician);

        // --- Reviewer ----------------------------------------------------------------------------------
        var reviewer = await SignInAsync("reviewer@demo.local");
        await reviewer.GetByTestId("go-review").ClickAsync();
        await reviewer.WaitForInteractiveAsync();
        var row = reviewer.GetByTestId("review-link").Filter(new() { HasText = signedPatient });
        await Expect(row).ToHaveCountAsync(1);
        await ScanAsync(reviewer, "review queue");
        await row.ClickAsync();
        await reviewer.WaitForInteractiveAsync();
        await Expect(reviewer.GetByTestId("signed-by")).ToContainTextAsync("Dr Alex Morgan");
        await ScanAsync(reviewer, "draft record");
        await reviewer.GetByTestId("approve").ClickAsync();
        await Expect(reviewer.GetByTestId("review-decision")).ToContainTextAsync("Approved by Dr Sam Patel");
        await Expect(reviewer.GetByTestId("record-status")).ToHaveTextAsync("Approved");
        await SignOutAsync(reviewer);

        // --- Admin -------------------------------------------------------------------------------------
        var admin = await SignInAsync("admin@demo.local");
        await admin.GetByTestId("go-admin").ClickAsync();
        await admin.WaitForInteractiveAsync();
        var users = admin.GetByTestId("users-table");
        await Expect(users).ToContainTextAsync("clinician@demo.local");
        await Expect(users).ToContainTextAsync("Reviewer");
        await Expect(admin.GetByTestId("model-settings")).ToContainTextAsync("Offline");
        await ScanAsync(admin, "admin");

        // A clinician cannot open the admin page; a reviewer cannot generate.
        await admin.Context.CloseAsync();

        // --- Restart: everything is still there --------------------------------------------------------
        await App.DisposeAsync();
        App = await StartAppAsync();
        var again = await SignInAsync("reviewer@demo.local");
        await again.GotoAsync(new Uri(App.BaseAddress, "review").ToString());
        await again.WaitForInteractiveAsync();
        await again.GetByTestId("view-approved").ClickAsync();
        var approvedRow = again.GetByTestId("review-link").Filter(new() { HasText = signedPatient });
        await Expect(approvedRow).ToHaveCountAsync(1);
        await approvedRow.ClickAsync();
        await Expect(again.GetByTestId("review-decision")).ToContainTextAsync("Approved by Dr Sam Patel");
        await Expect(again.GetByTestId("signed-by")).ToContainTextAsync("Dr Alex Morgan");
        await Expect(again.GetByTestId("draft-text").First).ToContainTextAsync("family updated at the bedside");

        Assert.True(Axe.Count >= 8, "every page visited was scanned");
        AssertLogsFreeOf(identifiers);
        AssertNoSeriousAccessibilityViolations();
    }

    [Fact]
    public async Task Roles_only_reach_their_own_pages()
    {
        var clinician = await SignInAsync("clinician@demo.local");
        await ExpectRefusedAsync(clinician, "admin");
        await ExpectRefusedAsync(clinician, "review");

        var reviewer = await SignInAsync("reviewer@demo.local");
        await ExpectRefusedAsync(reviewer, "patients");
        await ExpectRefusedAsync(reviewer, "admin");

        var admin = await SignInAsync("admin@demo.local");
        await ExpectRefusedAsync(admin, "patients");
        await ExpectRefusedAsync(admin, "review");

        var anonymous = await (await Browser.NewContextAsync()).NewPageAsync();
        await anonymous.GotoAsync(new Uri(App.BaseAddress, "patients").ToString());
        await Expect(anonymous).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"), new() { Timeout = Patience.Ms(Patience.Medium) });
        await ScanAsync(anonymous, "sign-in");
        Assert.Empty(Axe["sign-in"]);
    }
}

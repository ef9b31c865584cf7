using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// Sign-off and review as the legal record: an edited, signed draft returned by a reviewer with a reason is seen
/// by the clinician with the diff; the admin finds every step in the audit trail and exports it.
/// </summary>
public sealed class ReviewReturnAndRecoveryTests : BrowserTestBase
{

    [Fact]
    public async Task Clinician_edits_and_signs_reviewer_returns_with_reason_clinician_sees_it_admin_audits_it()
    {
        var clinician = await SignInAsync("clinician@demo.local");
        var patient = await OpenPatientAsync(clinician, 2);
        await clinician.GetByTestId("generate-summary").ClickAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Long) });
        await clinician.GetByTestId("edit-draft").ClickAsync();
        var editor = clinician.GetByTestId("draft-editor");
        await editor.FillAsync((await editor.InputValueAsync()).Replace("Summary", "Summary (edited)", StringComparison.Ordinal) + "\nPlan discussed with the patient.");
        await clinician.GetByLabel("I reviewed this draft against the record").CheckAsync();
        await AcknowledgeCriticalWarningsAsync(clinician);
        await clinician.GetByTestId("sign-draft").ClickAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Signed");
        await SignOutAsync(clinician);

        var reviewer = await SignInAsync("reviewer@demo.local");
        await reviewer.GotoAsync(Url("review"));
        await reviewer.WaitForInteractiveAsync();
        await reviewer.GetByTestId("review-link").Filter(new() { HasText = patient }).ClickAsync();
        await reviewer.WaitForInteractiveAsync();
        await Expect(reviewer.GetByTestId("diff-view").Locator("ins").First).ToBeVisibleAsync();
        await Expect(reviewer.GetByTestId("cited-sources")).ToContainTextAsync("Condition:");
        await ScanAsync(reviewer, "draft record with diff");
        await reviewer.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.ArtifactsDirectory, "draft-record-with-diff.png") });
        await reviewer.GetByTestId("return").ClickAsync();
        await reviewer.GetByRole(AriaRole.Radio, new() { Name = "Wrong or outdated data" }).CheckAsync();
        const string comment = "Creatinine trend is from the previous admission.";
        await reviewer.GetByTestId("reason-comment").FillAsync(comment);
        // The form's counter is rendered from the server's copy of the comment: submit once the server has it.
        await Expect(reviewer.Locator(".field-counter")).ToHaveTextAsync($"{comment.Length} / 2000");
        await reviewer.GetByTestId("reason-submit").ClickAsync();
        await Expect(reviewer.GetByTestId("review-decision")).ToContainTextAsync("Returned by Dr Sam Patel");
        await Expect(reviewer.GetByTestId("review-decision")).ToContainTextAsync("Wrong or outdated data");
        await SignOutAsync(reviewer);

        var back = await SignInAsync("clinician@demo.local");
        await OpenPatientAsync(back, 2);
        await Expect(back.GetByTestId("draft-status")).ToHaveTextAsync("Returned");
        await Expect(back.GetByTestId("review-outcome")).ToContainTextAsync("Returned by Dr Sam Patel");
        await Expect(back.GetByTestId("review-outcome")).ToContainTextAsync("Creatinine trend is from the previous admission.");
        await ScanAsync(back, "returned draft");
        await SignOutAsync(back);

        var admin = await SignInAsync("admin@demo.local");
        await admin.GotoAsync(Url("admin/audit"));
        await admin.WaitForInteractiveAsync();
        var table = admin.GetByTestId("audit-table");
        foreach (var action in new[] { "user.signed-in", "user.signed-out", "chart.viewed", "draft.started", "draft.generated", "draft.signed", "draft.viewed", "review.returned" })
        {
            await Expect(table).ToContainTextAsync(action);
        }
        await ScanAsync(admin, "audit trail");

        var csv = await admin.Context.APIRequest.GetAsync(Url("admin/audit/export.csv?action=review."));
        Assert.Equal(200, csv.Status);
        var text = await csv.TextAsync();
        Assert.StartsWith("id,at_utc,action,outcome,user_id,user_name,patient_id,draft_id,details", text, StringComparison.Ordinal);
        Assert.Contains("review.returned", text, StringComparison.Ordinal);

        // A clinician cannot export the audit trail.
        var other = await SignInAsync("clinician@demo.local");
        var refused = await other.Context.APIRequest.GetAsync(Url("admin/audit/export.csv"), new() { MaxRedirects = 0 });
        Assert.NotEqual(200, refused.Status);

        AssertNoSeriousAccessibilityViolations();
    }
}

using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// Sign-off and review as the legal record: an edited, signed draft returned by a reviewer with a reason is seen
/// by the clinician with the diff; the admin finds every step in the audit trail and exports it; and an app killed
/// while a draft streams comes back with that draft Interrupted (its text kept) and a new one can be generated.
/// </summary>
public sealed class ReviewReturnAndRecoveryTests : BrowserTestBase
{
    // The offline drafter streams slowly here so the app can be killed mid-draft.
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Model__OfflineChunkDelayMilliseconds"] = "150",
    };

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
        await reviewer.GetByTestId("reason-select").ClickAsync();
        await reviewer.GetByRole(AriaRole.Option, new() { Name = "Wrong or outdated data" }).ClickAsync();
        await reviewer.GetByTestId("reason-comment").FillAsync("Creatinine trend is from the previous admission.");
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

    [Fact]
    public async Task App_killed_while_a_draft_streams_comes_back_with_the_draft_Interrupted_and_its_text_kept()
    {
        var clinician = await SignInAsync("clinician@demo.local");
        var patient = await OpenPatientAsync(clinician, 4);
        await clinician.GetByTestId("generate-summary").ClickAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Generating");
        await Expect(clinician.GetByTestId("draft-text")).ToContainTextAsync("Active problems", new() { Timeout = Patience.Ms(Patience.Medium) });
        await WaitForPersistedTextAsync(); // the kill must come after the app stored an increment of the streamed text
        await App.KillAsync();
        await clinician.Context.CloseAsync();

        App = await StartAppAsync();
        var again = await SignInAsync("clinician@demo.local");
        await OpenPatientAsync(again, 4);
        await Expect(again.GetByTestId("patient-name")).ToHaveTextAsync(patient);
        await Expect(again.GetByTestId("draft-status")).ToHaveTextAsync("Interrupted");
        await Expect(again.GetByTestId("draft-message")).ToContainTextAsync("interrupted by an application restart");
        await Expect(again.GetByTestId("draft-text")).ToContainTextAsync("Summary");

        // Regenerate: a new draft completes.
        await again.GetByTestId("generate-summary").ClickAsync();
        await Expect(again.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Long) });
    }

    /// <summary>Waits (on the app's own database, read-only) until the generating draft has streamed text stored.</summary>
    private async Task WaitForPersistedTextAsync()
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow + Patience.Medium;
        var connectionString = $"Data Source={Path.Combine(DataDirectory, "e2e.db")};Mode=ReadOnly;Pooling=False";
        while (true)
        {
            await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString))
            {
                await connection.OpenAsync(ct);
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM Drafts WHERE length(GeneratedText) > 0";
                if (Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) > 0) return;
            }
            Assert.True(DateTime.UtcNow < deadline, "no streamed text was stored within " + Patience.Medium);
            await Task.Delay(100, ct);
        }
    }
}

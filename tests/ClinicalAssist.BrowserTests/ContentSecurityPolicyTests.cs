using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>The app works under its Content-Security-Policy (no 'unsafe-eval', scripts only from the origin or with
/// the response's nonce): every main page loads, becomes interactive, and the browser reports no violation.</summary>
public sealed class ContentSecurityPolicyTests : BrowserTestBase
{
    private readonly SecurityPolicyWatcher _watcher = new();

    protected override Task PrepareContextAsync(IBrowserContext context) => _watcher.AttachAsync(context);

    [Fact]
    public async Task Sign_in_patients_chart_with_draft_review_queue_and_admin_run_with_zero_CSP_violations()
    {
        // Clinician: sign-in page (static), patient list (search reacts), chart, a streamed draft, sign.
        var clinician = await SignInAsync("clinician@demo.local");
        var csp = (await clinician.GotoAsync(Url("patients")))!.Headers["content-security-policy"];
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        await clinician.WaitForInteractiveAsync();
        var all = await clinician.GetByTestId("patient-link").CountAsync();
        var first = (await clinician.GetByTestId("patient-link").First.InnerTextAsync()).Trim();
        await clinician.GetByTestId("patient-search").FillAsync(first);
        await Expect(clinician.GetByTestId("patient-link")).Not.ToHaveCountAsync(all); // the circuit answered

        var patient = await OpenPatientAsync(clinician, 0);
        await clinician.GetByTestId("generate-summary").ClickAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Long) });
        await Expect(clinician.GetByTestId("citation-chip").First).ToBeVisibleAsync();
        await clinician.GetByTestId("citation-chip").First.ClickAsync();
        await Expect(clinician.GetByTestId("citation-resource")).ToContainTextAsync("\"resourceType\"");
        await clinician.GetByTestId("citation-close").ClickAsync();
        await clinician.GetByLabel("I reviewed this draft against the record").CheckAsync();
        await AcknowledgeCriticalWarningsAsync(clinician);
        await clinician.GetByTestId("sign-draft").ClickAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Signed");
        await SignOutAsync(clinician);

        // Reviewer: queue and the draft record.
        var reviewer = await SignInAsync("reviewer@demo.local");
        await reviewer.GotoAsync(Url("review"));
        await reviewer.WaitForInteractiveAsync();
        var row = reviewer.GetByTestId("review-link").Filter(new() { HasText = patient });
        await Expect(row).ToHaveCountAsync(1);
        await row.ClickAsync();
        await Expect(reviewer.GetByTestId("signed-by")).ToContainTextAsync("Dr Alex Morgan");
        await SignOutAsync(reviewer);

        // Admin: users and settings, then the audit trail (reached through the interactive router).
        var admin = await SignInAsync("admin@demo.local");
        await admin.GotoAsync(Url("admin"));
        await admin.WaitForInteractiveAsync();
        await Expect(admin.GetByTestId("users-table")).ToContainTextAsync("clinician@demo.local");
        await admin.GetByTestId("go-audit").ClickAsync();
        await Expect(admin.GetByTestId("audit-table")).ToBeVisibleAsync();
        await Expect(admin.GetByTestId("audit-table")).ToContainTextAsync("draft.signed");
        // Account pages are static server-rendered forms under the same policy.
        await admin.GotoAsync(Url("Account/Manage"));
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Profile" }).Or(admin.GetByRole(AriaRole.Heading, new() { Name = "Manage your account" })).First).ToBeVisibleAsync();
        await admin.Context.CloseAsync();

        Assert.True(_watcher.Violations.Count == 0, "CSP violations:\n" + string.Join("\n", _watcher.Violations));
        Assert.True(_watcher.PageErrors.Count == 0, "Page errors:\n" + string.Join("\n", _watcher.PageErrors));
    }

    [Fact]
    public async Task The_watcher_does_see_a_violation_when_an_inline_script_without_the_nonce_is_added()
    {
        var clinician = await SignInAsync("clinician@demo.local");
        await clinician.EvaluateAsync("""
            () => { const s = document.createElement('script'); s.textContent = 'window.__ran = true'; document.body.appendChild(s); }
            """);
        await Expect(clinician.Locator("body")).ToBeVisibleAsync();
        var deadline = DateTime.UtcNow + Patience.Short; // the report arrives asynchronously from the browser
        while (_watcher.Violations.Count == 0 && DateTime.UtcNow < deadline) await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.Contains(_watcher.Violations, v => v.Contains("script-src", StringComparison.Ordinal));
        Assert.Null(await clinician.EvaluateAsync<bool?>("() => window.__ran ?? null"));
    }
}

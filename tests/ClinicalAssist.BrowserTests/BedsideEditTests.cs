using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// Never lose an edit, on a landscape tablet: an edit typed into a draft opened from rounds survives Next/Previous, a
/// kill -9 of the app with a restart, and the idle sign-out; each time the draft says the edit was restored, and
/// signing stores it.
/// </summary>
public sealed class BedsideEditTests : BrowserTestBase
{
    // A short idle timeout, checked every second; drafts without the streaming pause.
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Session__IdleTimeout"] = "00:00:20",
        ["Session__RevalidationInterval"] = "00:00:01",
        ["Model__OfflineChunkDelayMilliseconds"] = "0",
    };

    private const string Note = "Bedside: family updated, wants a call after the ward round.";

    private static async Task ExpectRestoredAsync(IPage page)
    {
        await Expect(page.GetByTestId("edit-restored")).ToContainTextAsync("was restored", new() { Timeout = Patience.Ms(Patience.Medium) });
        Assert.Contains(Note, await page.GetByTestId("draft-editor").InputValueAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_edit_survives_next_and_previous_a_restart_and_the_idle_sign_out()
    {
        var tablet = await SignInAsync("clinician@demo.local", 1024, 768);
        await tablet.GotoAsync(Url("rounds"));
        await tablet.WaitForInteractiveAsync();
        await tablet.GetByTestId("rounds-patient").First.ClickAsync();
        await Expect(tablet.GetByTestId("rounds-position")).ToHaveTextAsync(new Regex("^1 of "));
        await tablet.GetByTestId("generate-summary").ClickAsync();
        await Expect(tablet.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Long) });
        await tablet.GetByTestId("edit-draft").ClickAsync();
        var editor = tablet.GetByTestId("draft-editor");
        await editor.FillAsync(await editor.InputValueAsync() + "\n" + Note);
        await Expect(tablet.GetByTestId("edit-state")).ToContainTextAsync("Edit saved at");
        var chartUrl = tablet.Url;

        // Next and back: the draft comes back with the edit.
        await tablet.GetByTestId("next-patient").ClickAsync();
        await Expect(tablet.GetByTestId("rounds-position")).ToHaveTextAsync(new Regex("^2 of "));
        await tablet.GetByTestId("previous-patient").ClickAsync();
        await Expect(tablet.GetByTestId("rounds-position")).ToHaveTextAsync(new Regex("^1 of "));
        await ExpectRestoredAsync(tablet);

        // kill -9 and a restart: the edit is in the database.
        await tablet.Context.CloseAsync();
        await App.KillAsync();
        App = await StartAppAsync();
        var again = await SignInAsync("clinician@demo.local", 1024, 768);
        // The page's last use is this navigation: nothing below touches it until the sign-out.
        var idleSince = DateTimeOffset.UtcNow;
        await again.GotoAsync(Url(new Uri(chartUrl).PathAndQuery.TrimStart('/')));
        await again.WaitForInteractiveAsync();
        await ExpectRestoredAsync(again);
        await ScanAsync(again, "restored edit");

        // Left alone on the chart: signed out after the idle timeout (counted from its last use, not from the end of the
        // checks above, which take seconds on a loaded machine); signing in again returns to the draft with the edit.
        await Expect(again).ToHaveURLAsync(new Regex("/Account/Login"), new() { Timeout = Patience.Ms(Patience.Long) });
        Assert.True(DateTimeOffset.UtcNow - idleSince >= TimeSpan.FromSeconds(15), "signed out well before the idle timeout");
        await again.GetByTestId("login-email").FillAsync("clinician@demo.local");
        await again.GetByTestId("login-password").FillAsync(Password);
        await again.GetByTestId("login-submit").ClickAsync();
        await Expect(again).ToHaveURLAsync(new Regex("/patients/.+from=rounds"), new() { Timeout = Patience.Ms(Patience.Medium) });
        await again.WaitForInteractiveAsync();
        await ExpectRestoredAsync(again);
        await again.GetByTestId("attest").ClickAsync();
        await again.GetByTestId("sign-draft").ClickAsync();
        await Expect(again.GetByTestId("draft-status")).ToHaveTextAsync("Signed");
        await Expect(again.GetByTestId("draft-text")).ToContainTextAsync(Note);

        AssertNoSeriousAccessibilityViolations();
    }
}

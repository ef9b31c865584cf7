using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// Never lose an edit, on a landscape tablet: an edit typed into a draft opened from rounds survives Next/Previous, a
/// warning before the idle sign-out ("Stay signed in" keeps the session), the idle sign-out itself and a kill -9 of the
/// app with a restart; each time the draft says the edit was restored, and signing stores it.
/// </summary>
public sealed class BedsideEditTests : BrowserTestBase
{
    // A short idle timeout (warning 5 s before it), checked every second; drafts without the streaming pause.
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
    public async Task An_edit_survives_next_and_previous_the_idle_sign_out_and_a_restart()
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

        // Left alone: a warning first; "Stay signed in" keeps the session.
        var warning = tablet.GetByTestId("idle-warning");
        await Expect(warning).ToContainTextAsync("You will be signed out in", new() { Timeout = Patience.Ms(Patience.Long) });
        await ScanAsync(tablet, "idle warning");
        await tablet.GetByTestId("stay-signed-in").ClickAsync();
        await Expect(warning).ToHaveCountAsync(0);
        var stayedAt = DateTimeOffset.UtcNow;

        // Left alone again: warned, then signed out; signing in again returns to the draft with the edit.
        await Expect(warning).ToBeVisibleAsync(new() { Timeout = Patience.Ms(Patience.Long) });
        await Expect(tablet).ToHaveURLAsync(new Regex("/Account/Login"), new() { Timeout = Patience.Ms(Patience.Long) });
        Assert.True(DateTimeOffset.UtcNow - stayedAt >= TimeSpan.FromSeconds(20), "signed out before the idle timeout after \"Stay signed in\"");
        await tablet.GetByTestId("login-email").FillAsync("clinician@demo.local");
        await tablet.GetByTestId("login-password").FillAsync(Password);
        await tablet.GetByTestId("login-submit").ClickAsync();
        await Expect(tablet).ToHaveURLAsync(new Regex("/patients/.+from=rounds"), new() { Timeout = Patience.Ms(Patience.Medium) });
        await tablet.WaitForInteractiveAsync();
        await ExpectRestoredAsync(tablet);
        await tablet.Context.CloseAsync();

        // kill -9 and a restart: the edit is in the database.
        await App.KillAsync();
        App = await StartAppAsync();
        var again = await SignInAsync("clinician@demo.local", 1024, 768);
        await again.GotoAsync(Url(new Uri(chartUrl).PathAndQuery.TrimStart('/')));
        await again.WaitForInteractiveAsync();
        await ExpectRestoredAsync(again);
        await again.GetByTestId("attest").ClickAsync();
        await again.GetByTestId("sign-draft").ClickAsync();
        await Expect(again.GetByTestId("draft-status")).ToHaveTextAsync("Signed");
        await Expect(again.GetByTestId("draft-text")).ToContainTextAsync(Note);

        AssertNoSeriousAccessibilityViolations();
    }
}

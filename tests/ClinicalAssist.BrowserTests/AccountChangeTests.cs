using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// Authority inside a live page, with two browser contexts: an admin removes the reviewer's role while the reviewer's
/// review queue is open, and the reviewer's live page (its circuit) loses access within seconds — not at the next
/// one-minute re-validation — and the reviewer's next request is refused too.
/// </summary>
public sealed class AccountChangeTests : BrowserTestBase
{
    [Fact]
    public async Task A_role_removed_by_an_admin_signs_the_users_open_page_out_within_seconds()
    {
        var reviewer = await SignInAsync("reviewer@demo.local");
        await reviewer.GotoAsync(Url("review"));
        await reviewer.WaitForInteractiveAsync();
        await Expect(reviewer).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/review$"));

        var admin = await SignInAsync("admin@demo.local");
        await admin.GotoAsync(Url("admin/users"));
        await admin.WaitForInteractiveAsync();
        await admin.GetByTestId("user-link").Filter(new() { HasTextString = "demo reviewer" }).ClickAsync();
        await Expect(admin.GetByTestId("user-details")).ToBeVisibleAsync();
        await admin.GetByTestId("user-details").GetByRole(AriaRole.Checkbox, new() { Name = "Reviewer", Exact = true }).UncheckAsync();
        await admin.GetByTestId("save-roles").ClickAsync();
        var saved = Stopwatch.StartNew();

        // The reviewer touched nothing: the live page leaves the queue on its own.
        await Expect(reviewer).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"), new() { Timeout = Patience.Ms(Patience.Medium) });
        var ended = saved.Elapsed;
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Reviewer's open page left the queue {ended.TotalSeconds:0.0} s after the admin saved the roles."));
        Assert.True(ended < TimeSpan.FromSeconds(30), $"the open page kept the queue for {ended.TotalSeconds:0.0} s");

        // And a new request for the queue is refused: the cookie no longer carries a valid account state.
        await reviewer.GotoAsync(Url("review"));
        await Expect(reviewer).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"));
        await Expect(reviewer.GetByTestId("login-email")).ToBeVisibleAsync();
    }
}

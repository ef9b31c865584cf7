using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>Automatic logoff (HIPAA 164.312(a)(2)(iii)): a page nobody touches is signed out — the live circuit
/// loses access and the sign-in cookie is ended — while a page in use stays signed in.</summary>
public sealed class IdleSignOutTests : BrowserTestBase
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Session__IdleTimeout"] = "00:00:08",
        ["Session__RevalidationInterval"] = "00:00:01",
    };

    [Fact]
    public async Task An_idle_page_is_signed_out_and_a_page_in_use_is_not()
    {
        var active = await SignInAsync("clinician@demo.local");
        await active.GotoAsync(Url("patients"));
        await active.WaitForInteractiveAsync();
        var search = active.GetByTestId("patient-search");
        for (var i = 0; i < 6; i++) // 18 s of use, more than twice the idle timeout
        {
            await search.FillAsync(i % 2 == 0 ? "a" : "");
            await Task.Delay(3_000, TestContext.Current.CancellationToken);
        }
        Assert.EndsWith("/patients", new Uri(active.Url).AbsolutePath, StringComparison.Ordinal);

        var idle = await SignInAsync("reviewer@demo.local");
        await idle.GotoAsync(Url("review"));
        await idle.WaitForInteractiveAsync();
        await Expect(idle).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"), new() { Timeout = Patience.Ms(Patience.Medium) });

        // The cookie is gone too: going back needs a new sign-in.
        await idle.GotoAsync(Url("review"));
        await Expect(idle).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"), new() { Timeout = Patience.Ms(Patience.Medium) });
        await Expect(idle.GetByTestId("login-email")).ToBeVisibleAsync();
    }
}

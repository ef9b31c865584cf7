using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>Automatic logoff (HIPAA 164.312(a)(2)(iii)): a page nobody touches is signed out — the live circuit
/// loses access and the sign-in cookie is ended — while a page in use stays signed in, even when its use is only
/// reading (scrolling sends nothing into the circuit; the page's keep-alive reports it).</summary>
public sealed class IdleSignOutTests : BrowserTestBase
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Session__IdleTimeout"] = "00:00:08",
        ["Session__RevalidationInterval"] = "00:00:01",
    };

    [Fact]
    public async Task An_idle_page_is_signed_out_and_a_page_only_scrolled_is_not()
    {
        var reading = await SignInAsync("clinician@demo.local");
        await reading.GotoAsync(Url("patients"));
        await reading.WaitForInteractiveAsync();
        var idle = await SignInAsync("reviewer@demo.local");
        await idle.GotoAsync(Url("review"));
        await idle.WaitForInteractiveAsync();
        var idleSince = DateTimeOffset.UtcNow;

        // The reader only scrolls, for more than twice the idle timeout, while the other page sits untouched.
        var box = reading.ViewportSize!;
        await reading.Mouse.MoveAsync(box.Width / 2, box.Height / 2);
        var readUntil = DateTimeOffset.UtcNow.AddSeconds(18);
        var direction = 1;
        while (DateTimeOffset.UtcNow < readUntil)
        {
            await reading.Mouse.WheelAsync(0, 120 * direction);
            direction = -direction;
            await Task.Delay(1_000, TestContext.Current.CancellationToken);
        }

        // The untouched page was signed out on its own, and the cookie is gone too: going back needs a new sign-in.
        await Expect(idle).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"), new() { Timeout = Patience.Ms(Patience.Medium) });
        Assert.True(DateTimeOffset.UtcNow - idleSince >= TimeSpan.FromSeconds(8));
        await idle.GotoAsync(Url("review"));
        await Expect(idle).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"), new() { Timeout = Patience.Ms(Patience.Medium) });
        await Expect(idle.GetByTestId("login-email")).ToBeVisibleAsync();

        // The reader is still signed in, in the same live page and for the next request.
        Assert.EndsWith("/patients", new Uri(reading.Url).AbsolutePath, StringComparison.Ordinal);
        await reading.GetByTestId("patient-search").FillAsync("a");
        await reading.GotoAsync(Url("patients"));
        await Expect(reading).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/patients$"));
    }
}

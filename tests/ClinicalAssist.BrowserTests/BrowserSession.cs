using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using ClinicalAssist.TestSupport;
using Microsoft.Playwright;

namespace ClinicalAssist.BrowserTests;

/// <summary>Debian's Chromium driven by Playwright (never a downloaded browser), with the flags this machine needs.</summary>
public sealed class BrowserSession : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    public IBrowser Browser { get; }

    private BrowserSession(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public static async Task<BrowserSession> StartAsync()
    {
        // On a fresh Debian machine the test command installs Chromium itself (once, behind a lock).
        await SystemPackages.EnsureAsync(ChromiumPath, "chromium");

        // Every expectation waits on the page's own signal; its limit is the one Patience setting.
        Assertions.SetDefaultExpectTimeout(Patience.Ms(Patience.Short));

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
            ],
        });
        return new BrowserSession(playwright, browser);
    }

    /// <summary>A browser context whose actions and navigations wait as long as <see cref="Patience"/> allows.</summary>
    public async Task<IBrowserContext> NewContextAsync(BrowserNewContextOptions? options = null)
    {
        var context = await Browser.NewContextAsync(options ?? new());
        context.SetDefaultTimeout(Patience.Ms(Patience.Medium));
        context.SetDefaultNavigationTimeout(Patience.Ms(Patience.Medium));
        return context;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}

public static class PageExtensions
{
    /// <summary>Waits until the Blazor circuit is live (the layout's marker), so clicks reach the server.</summary>
    public static Task WaitForInteractiveAsync(this IPage page) =>
        page.Locator("[data-interactive=true]").First.WaitForAsync(new() { Timeout = Patience.Ms(Patience.Medium) });

    /// <summary>Runs axe-core on the page; returns the serious and critical violations, described.</summary>
    public static async Task<IReadOnlyList<string>> SeriousAccessibilityViolationsAsync(this IPage page)
    {
        AxeResult result = await page.RunAxe();
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Impact} {v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Take(3).Select(n => string.Join(",", n.Target)))}")
            .ToList();
    }
}

using System.Security.Cryptography;
using ClinicalAssist.TestSupport;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>The app on its embedded defaults (own data folder, generated demo password) and Debian Chromium,
/// with the sign-in, navigation and axe helpers every journey uses.</summary>
public abstract class BrowserTestBase : IAsyncLifetime
{
    protected readonly string DataDirectory = Directory.CreateTempSubdirectory("clinicalassist-e2e-").FullName;
    protected readonly string Password = "E2e-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) + "!a";
    protected readonly Dictionary<string, IReadOnlyList<string>> Axe = new();
    protected AppHost App = null!;
    protected BrowserSession Browser = null!;

    /// <summary>Extra app settings (environment variables) for this class's app instances.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    public async ValueTask InitializeAsync()
    {
        App = await StartAppAsync();
        Browser = await BrowserSession.StartAsync();
    }

    private readonly List<AppHost> _hosts = [];

    protected async Task<AppHost> StartAppAsync()
    {
        var host = await AppHost.StartAsync(DataDirectory, Password, Patience.Long, Settings);
        _hosts.Add(host);
        return host;
    }

    /// <summary>Every line every app instance of this test wrote to its console (its log).</summary>
    protected IEnumerable<string> AllAppOutput => _hosts.SelectMany(h => h.Output);

    /// <summary>Privacy: no log line may carry a patient identifier.</summary>
    protected void AssertLogsFreeOf(IReadOnlyCollection<string> identifiers)
    {
        Assert.NotEmpty(identifiers);
        var leaks = AllAppOutput
            .SelectMany(line => identifiers.Where(id => line.Contains(id, StringComparison.OrdinalIgnoreCase)).Select(id => $"'{id}' in: {line}"))
            .ToList();
        Assert.True(leaks.Count == 0, "Patient identifiers in the app's log:\n" + string.Join("\n", leaks.Take(20)));
    }

    public async ValueTask DisposeAsync()
    {
        App.SaveOutput($"app-{GetType().Name}-{TestContext.Current.Test?.TestDisplayName.Split('.').Last()}");
        await Browser.DisposeAsync();
        await App.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }

    /// <summary>Where the browser goes: the app itself, or a proxy in front of several instances.</summary>
    protected virtual Uri BaseAddress => App.BaseAddress;

    protected string Url(string path) => new Uri(BaseAddress, path).ToString();

    /// <summary>A page outside the role: the server answers with the access-denied page, not the content.</summary>
    protected async Task ExpectRefusedAsync(IPage page, string path)
    {
        await page.GotoAsync(Url(path));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Access denied" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("patient-table").Or(page.GetByTestId("review-table")).Or(page.GetByTestId("users-table"))).ToHaveCountAsync(0);
    }

    protected async Task<IPage> SignInAsync(string email, int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height }, AcceptDownloads = true });
        await PrepareContextAsync(context);
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("Account/Login"));
        await page.GetByTestId("login-email").FillAsync(email);
        await page.GetByTestId("login-password").FillAsync(Password);
        await page.GetByTestId("login-submit").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("^(?!.*/Account/Login)"), new() { Timeout = Patience.Ms(Patience.Medium) });
        await page.WaitForInteractiveAsync();
        return page;
    }

    protected static async Task SignOutAsync(IPage page)
    {
        await page.GetByTestId("sign-out").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/Account/Login"), new() { Timeout = Patience.Ms(Patience.Medium) });
        await Expect(page.GetByTestId("login-email")).ToBeVisibleAsync(); // the page's own signal, not the load event
        await page.Context.CloseAsync();
    }

    /// <summary>Called for every browser context before its first page opens (e.g. to add init scripts).</summary>
    protected virtual Task PrepareContextAsync(IBrowserContext context) => Task.CompletedTask;

    /// <summary>Opens the n-th patient of the list and waits for the chart.</summary>
    protected async Task<string> OpenPatientAsync(IPage page, int index)
    {
        await page.GotoAsync(Url("patients"));
        await page.WaitForInteractiveAsync();
        var link = page.GetByTestId("patient-link").Nth(index);
        var name = await link.InnerTextAsync();
        await link.ClickAsync();
        await Expect(page.GetByTestId("patient-name")).ToHaveTextAsync(name);
        return name;
    }

    /// <summary>Ticks "Acknowledged" on every critical warning the draft shows (docs/adr/0029): signing needs it when
    /// the record holds one (an injection attempt, an unmentioned critical value, allergy or high-alert medicine).</summary>
    protected static async Task AcknowledgeCriticalWarningsAsync(IPage page)
    {
        var boxes = page.GetByLabel("Acknowledged", new() { Exact = true });
        var count = await boxes.CountAsync();
        for (var i = 0; i < count; i++) await boxes.Nth(i).CheckAsync();
    }

    protected async Task ScanAsync(IPage page, string name) => Axe[name] = await page.SeriousAccessibilityViolationsAsync();

    protected void AssertNoSeriousAccessibilityViolations()
    {
        var violations = Axe.Where(p => p.Value.Count > 0).SelectMany(p => p.Value.Select(v => $"{p.Key}: {v}")).ToList();
        Assert.True(violations.Count == 0, "Serious/critical accessibility violations:\n" + string.Join("\n", violations));
    }
}

using System.Security.Claims;
using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Drafting;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor;

namespace ClinicalAssist.Tests.Admin;

public sealed class ModelConfigurationsPageTests : MudTestContext, IAsyncLifetime
{
    private const string SecretKey = "sk-page-secret-9876543210fedcba";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private readonly CapturingLoggerProvider _logs = new();
    private ILoggerFactory _loggers = null!;
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await using (var ctx = _db.CreateDbContext())
        {
            await ModelConfigurationService.SeedAsync(ctx, new ModelOptions(), _clock, Xunit.TestContext.Current.CancellationToken);
        }
        _loggers = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        Services.AddSingleton(_loggers);
        Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        Services.AddSingleton(ModelConfigurationAdminTests.Create(_db, _clock, _loggers));
        var auth = AddAuthorization();
        auth.SetAuthorized("Admin One");
        auth.SetRoles(Roles.Admin);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "admin-1"));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _loggers.Dispose();
        await _db.DisposeAsync();
    }

    private IRenderedComponent<IComponent> RenderPage() => Render(b =>
    {
        b.OpenComponent<MudPopoverProvider>(0);
        b.CloseComponent();
        b.OpenComponent<MudSnackbarProvider>(1);
        b.CloseComponent();
        b.OpenComponent<ModelConfigurations>(2);
        b.CloseComponent();
    });

    [Fact]
    public async Task An_entered_key_is_saved_encrypted_and_never_rendered_back_or_logged()
    {
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=config-name]")));

        await cut.InvokeAsync(() => cut.Find("[data-testid=new-config]").Click());
        await cut.InvokeAsync(() => cut.Find("input[data-testid=config-name-input]").Change("Foundry GPT-4o"));
        await cut.InvokeAsync(() => cut.Find("input[data-testid=config-endpoint]").Change("https://example.openai.azure.com/openai/v1/"));
        await cut.InvokeAsync(() => cut.Find("input[data-testid=config-deployment]").Change("gpt-4o"));
        await cut.InvokeAsync(() => cut.Find("input[data-testid=config-api-key]").Change(SecretKey));
        Assert.Equal("password", cut.Find("input[data-testid=config-api-key]").GetAttribute("type"));
        await cut.InvokeAsync(() => cut.Find("[data-testid=save-config]").Click());

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=config-name]").Count));
        Assert.DoesNotContain(SecretKey, cut.Markup, StringComparison.Ordinal);
        Assert.Contains("stored encrypted (never shown)", cut.Markup, StringComparison.Ordinal);
        Assert.True(string.IsNullOrEmpty(cut.Find("input[data-testid=config-api-key]").GetAttribute("value")));

        // Open it again for editing: the key field stays empty.
        await cut.InvokeAsync(() =>
        {
            var row = cut.FindAll("[data-testid=config-name]").ToList().FindIndex(e => e.TextContent == "Foundry GPT-4o");
            cut.FindAll("[data-testid=edit-config]")[row].Click();
        });
        cut.WaitForAssertion(() => Assert.Contains("Edit “Foundry GPT-4o”", cut.Markup, StringComparison.Ordinal));
        Assert.DoesNotContain(SecretKey, cut.Markup, StringComparison.Ordinal);
        Assert.True(string.IsNullOrEmpty(cut.Find("input[data-testid=config-api-key]").GetAttribute("value")));

        await using var db = _db.CreateDbContext();
        var stored = db.ModelConfigurations.Single(c => c.Name == "Foundry GPT-4o");
        Assert.DoesNotContain(SecretKey, stored.ProtectedApiKey ?? "", StringComparison.Ordinal);
        // bUnit's own renderer traces the dispatched event arguments (the test typing the key); the app's loggers must not.
        var appLines = _logs.Lines.Where(l => !l.Contains(" Bunit.", StringComparison.Ordinal)).ToList();
        Assert.Contains(appLines, l => l.Contains("ModelConfigurationAdmin", StringComparison.Ordinal));
        Assert.All(appLines, l => Assert.DoesNotContain(SecretKey, l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Activating_from_the_page_moves_the_active_mark()
    {
        using var db = _db.CreateDbContext();
        var offline = db.ModelConfigurations.Single();
        db.ModelConfigurations.Add(new ModelConfiguration { Id = Guid.NewGuid(), Name = "Second offline", Provider = ModelProvider.Offline });
        db.SaveChanges();

        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=config-name]").Count));
        Assert.Single(cut.FindAll("[data-testid=activate-config]"));

        await cut.InvokeAsync(() => cut.Find("[data-testid=activate-config]").Click());

        cut.WaitForAssertion(() => Assert.Contains("Second offline",
            cut.FindAll("tr").Single(tr => tr.QuerySelector("[data-testid=active-chip]") is not null).TextContent, StringComparison.Ordinal));
        using var check = _db.CreateDbContext();
        Assert.False(check.ModelConfigurations.Single(c => c.Id == offline.Id).IsActive);
    }
}

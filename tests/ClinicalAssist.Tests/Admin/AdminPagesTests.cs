using System.Security.Claims;
using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Admin;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;

namespace ClinicalAssist.Tests.Admin;

/// <summary>bUnit: the users page and the quality dashboard over real services and a migrated database.</summary>
public sealed class AdminPagesTests : MudTestContext, IAsyncLifetime
{
    private AdminTestHost _host = null!;
    private ApplicationUser _admin = null!;

    public async ValueTask InitializeAsync()
    {
        _host = await AdminTestHost.CreateAsync();
        _admin = await _host.AddUserAsync("admin@x.org", Roles.Admin);
        await _host.AddUserAsync("ada@x.org", Roles.Clinician);
        Services.AddSingleton(_host.Users);
        Services.AddSingleton<IDbContextFactory<AppDbContext>>(_host.Database);
        Services.AddSingleton(new QualityMetrics(_host.Database));
        Services.AddSingleton<TimeProvider>(_host.Clock);
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        var auth = AddAuthorization();
        auth.SetAuthorized("Admin One");
        auth.SetRoles(Roles.Admin);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, _admin.Id));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _host.DisposeAsync();
    }

    private IRenderedComponent<IComponent> RenderWithProviders<T>() where T : IComponent => Render(b =>
    {
        b.OpenComponent<MudPopoverProvider>(0);
        b.CloseComponent();
        b.OpenComponent<MudSnackbarProvider>(1);
        b.CloseComponent();
        b.OpenComponent<T>(2);
        b.CloseComponent();
    });

    [Fact]
    public async Task Users_page_creates_an_account_with_a_generated_password_shown_once_and_refuses_removing_the_last_admin()
    {
        var cut = RenderWithProviders<UserAdmin>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=user-link]").Count));

        await cut.InvokeAsync(() => cut.Find("[data-testid=new-user]").Click());
        await cut.InvokeAsync(() => cut.Find("input[data-testid=new-email]").Change("new@x.org"));
        await cut.InvokeAsync(() => cut.Find("input[data-testid=new-name]").Change("Dr New"));
        await cut.InvokeAsync(() => cut.Find("input[data-testid=new-role-Reviewer]").Change(true));
        await cut.InvokeAsync(() => cut.Find("[data-testid=create-user-submit]").Click());

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=user-link]").Count));
        var password = cut.Find("[data-testid=temporary-password]").TextContent;
        Assert.Equal(16, password.Length);
        var row = cut.FindAll("tr").Single(tr => tr.TextContent.Contains("new@x.org", StringComparison.Ordinal));
        Assert.Contains("Clinician", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Reviewer", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("must change password", row.TextContent, StringComparison.Ordinal);

        // The only admin unticks their own Admin role: refused, and the page says why.
        await cut.InvokeAsync(() => cut.FindAll("[data-testid=user-link]").Single(a => a.TextContent == "User admin@x.org").Click());
        await cut.InvokeAsync(() => cut.Find("input[data-testid=role-Admin]").Change(false));
        await cut.InvokeAsync(() => cut.Find("[data-testid=save-roles]").Click());
        cut.WaitForAssertion(() => Assert.Contains("last active admin", cut.Find("[data-testid=users-error]").TextContent, StringComparison.Ordinal));
        await cut.InvokeAsync(() => cut.Find("[data-testid=disable-user]").Click());
        cut.WaitForAssertion(() => Assert.Contains("cannot disable your own account", cut.Find("[data-testid=users-error]").TextContent, StringComparison.Ordinal));
        Assert.Contains("Admin", cut.FindAll("tr").Single(tr => tr.TextContent.Contains("admin@x.org", StringComparison.Ordinal)).TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Users_page_locks_and_unlocks_another_user()
    {
        var cut = RenderWithProviders<UserAdmin>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=user-link]").Count));
        await cut.InvokeAsync(() => cut.FindAll("[data-testid=user-link]").Single(a => a.TextContent == "User ada@x.org").Click());

        await cut.InvokeAsync(() => cut.Find("[data-testid=lock-user]").Click());
        cut.WaitForAssertion(() => Assert.Contains("Locked", cut.FindAll("tr").Single(tr => tr.TextContent.Contains("ada@x.org", StringComparison.Ordinal)).TextContent, StringComparison.Ordinal));
        await cut.InvokeAsync(() => cut.Find("[data-testid=unlock-user]").Click());
        cut.WaitForAssertion(() => Assert.Contains("Active", cut.FindAll("tr").Single(tr => tr.TextContent.Contains("ada@x.org", StringComparison.Ordinal)).TextContent, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Quality_dashboard_shows_the_figures_of_the_last_30_days()
    {
        await using (var db = _host.Database.CreateDbContext())
        {
            var now = _host.Clock.GetUtcNow();
            Draft Make(DraftStatus status, double? edit, int days) => new()
            {
                Id = Guid.NewGuid(), PatientId = "p", PatientLabel = "P", RecordSource = "Demo", DrafterName = "d", ModelId = "m", TemplateId = "clinical-summary",
                TemplateVersion = 1, ModelConfigurationName = "Foundry GPT-4o", Status = status, EditDistance = edit, CreatedById = "c", CreatedByName = "C",
                CreatedAt = now.AddDays(-days), PromptTokens = 100, CompletionTokens = 10, TimeToFirstTokenMs = 100, DurationMs = 1000,
            };
            db.Drafts.AddRange(Make(DraftStatus.Signed, 0.2, 1), Make(DraftStatus.Approved, 0.0, 2), Make(DraftStatus.Rejected, null, 3), Make(DraftStatus.Signed, 0.9, 40));
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }

        var cut = RenderWithProviders<QualityDashboard>();

        cut.WaitForAssertion(() => Assert.Equal("3", cut.Find("[data-testid=overall-generated]").TextContent));
        Assert.Equal("2", cut.Find("[data-testid=overall-signed]").TextContent);
        Assert.Equal("1", cut.Find("[data-testid=overall-rejected]").TextContent);
        Assert.Contains("Foundry GPT-4o", cut.Find("[data-testid=quality-groups]").TextContent, StringComparison.Ordinal);
        Assert.Equal(3, cut.FindAll("[data-testid=tokens-per-day] tr").Count);
        Assert.Contains("admin/quality/export.csv?from=", cut.Find("[data-testid=quality-export]").GetAttribute("href"), StringComparison.Ordinal);
    }
}

using System.Security.Claims;
using Bunit;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;

namespace ClinicalAssist.Tests.Drafting;

public sealed class PromptTemplatesPageTests : MudTestContext, IAsyncLifetime
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;
    private TestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await using (var db = _db.CreateDbContext()) await PromptTemplateStore.SeedAsync(db, _clock, Ct);
        _host = TestHost.Create(_db, new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero), time: _clock);
        Services.AddSingleton(_host.Get<PromptTemplateAdmin>());
        var auth = AddAuthorization();
        auth.SetAuthorized("Ada Admin");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "u-admin"));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    private IRenderedComponent<IComponent> RenderPage() => Render(builder =>
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudSnackbarProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<PromptTemplates>(2);
        builder.CloseComponent();
    });

    [Fact]
    public async Task Lists_versions_diffs_them_adds_and_activates_a_version_and_dry_runs_it()
    {
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=template-versions] tbody tr").Count));
        Assert.Contains("ClinicalAssist (embedded template)", cut.Find("[data-testid=template-versions]").TextContent);
        Assert.Single(cut.FindAll("[data-testid=active-version]"));
        // Word diff of the active version against the one before (both ask for JSON).
        Assert.Contains("JSON", cut.Find("[data-testid=diff-view] ins, [data-testid=diff-view]").TextContent);

        // A broken template cannot be added.
        await cut.InvokeAsync(() => cut.Find("[data-testid=new-template-body]").Input("no parts"));
        Assert.NotEmpty(cut.FindAll("[data-testid=template-problem]"));

        // A changed copy of v2 is added, then activated.
        await using (var db = _db.CreateDbContext())
        {
            var v2 = await db.PromptTemplateVersions.SingleAsync(t => t.Version == 2, Ct);
            await cut.InvokeAsync(() => cut.Find("[data-testid=new-template-body]").Input(v2.Body.Replace("400 words", "300 words", StringComparison.Ordinal)));
        }
        await cut.InvokeAsync(() => cut.Find("[data-testid=new-template-note]").Input("Shorter"));
        Assert.Empty(cut.FindAll("[data-testid=template-problem]"));
        await cut.InvokeAsync(() => cut.Find("[data-testid=add-template-version]").Click());
        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("[data-testid=template-versions] tbody tr").Count));
        await cut.InvokeAsync(() => cut.Find("[data-testid=activate-v4]").Click());
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("[data-testid=activate-v4]")));
        Assert.NotEmpty(cut.FindAll("[data-testid=activate-v2]"));

        await cut.InvokeAsync(() => cut.Find("[data-testid=dry-run-v4]").Click());
        cut.WaitForAssertion(() => Assert.Contains("tokens (o200k_base)", cut.Find("[data-testid=dry-run-tokens]").TextContent));
        Assert.Contains("300 words", cut.Find("[data-testid=dry-run-system]").TextContent);
        Assert.Contains("PATIENT: age", cut.Find("[data-testid=dry-run-user]").TextContent);

        await using var check = _db.CreateDbContext();
        Assert.Equal(4, Assert.Single(await check.PromptTemplateVersions.Where(t => t.IsActive).ToListAsync(Ct)).Version);
        Assert.Equal([PromptTemplateAuditActions.VersionAdded, PromptTemplateAuditActions.VersionActivated, PromptTemplateAuditActions.DryRun],
            await check.AuditEvents.OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct));
    }
}

using System.Security.Claims;
using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;

namespace ClinicalAssist.Tests.Admin;

/// <summary>bUnit: Admin › Audit trail's "Verify chain" over the product's governance services and a migrated database.</summary>
public sealed class AuditViewerPageTests : MudTestContext, IAsyncLifetime
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private TestDatabase _db = null!;
    private TestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _host = TestHost.Create(_db);
        Services.AddSingleton(_host.Get<AuditQuery>());
        Services.AddSingleton(_host.Get<AuditChainVerifier>());
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        var auth = AddAuthorization();
        auth.SetAuthorized("Admin One");
        auth.SetRoles(Roles.Admin);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "admin-1"));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Verify_chain_shows_intact_and_then_names_the_first_broken_row()
    {
        var log = _host.Get<AuditLog>();
        for (var i = 0; i < 5; i++) await log.WriteAsync(AuditActions.ChartViewed, new Actor("u1", "Dr One"), $"p{i}", cancellationToken: Ct);
        var cut = Render(b =>
        {
            b.OpenComponent<MudPopoverProvider>(0);
            b.CloseComponent();
            b.OpenComponent<AuditViewer>(1);
            b.CloseComponent();
        });
        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll("[data-testid=audit-table] tbody tr").Count));
        Assert.Empty(cut.FindAll("[data-testid=audit-verify-result]"));

        await cut.InvokeAsync(() => cut.Find("[data-testid=audit-verify]").Click());
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-testid=audit-verify-result]").GetAttribute("data-intact")));
        Assert.StartsWith("Audit chain intact: 5 row(s), sequence 1–5", cut.Find("[data-testid=audit-verify-result]").TextContent.Trim(), StringComparison.Ordinal);

        // Someone with access to the file changes row 3.
        await _db.ExecuteSqlAsync($"""
            DROP TRIGGER "{AuditChain.NoUpdateTrigger}";
            UPDATE "AuditEvents" SET "PatientId" = 'p-other' WHERE "Sequence" = 3;
            """);
        await cut.InvokeAsync(() => cut.Find("[data-testid=audit-verify]").Click());
        cut.WaitForAssertion(() => Assert.Equal("false", cut.Find("[data-testid=audit-verify-result]").GetAttribute("data-intact")));
        var text = cut.Find("[data-testid=audit-verify-result]").TextContent;
        Assert.Contains("Audit chain BROKEN at sequence 3", text, StringComparison.Ordinal);
        Assert.Contains("changed after it was written", text, StringComparison.Ordinal);
    }
}

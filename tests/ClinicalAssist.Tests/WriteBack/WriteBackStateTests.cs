using System.Security.Claims;
using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.WriteBack;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.WriteBack;

/// <summary>The write-back state on a draft: the reason a write failed is shown, and only an admin gets Retry / Cancel.</summary>
public sealed class WriteBackStateTests : MudTestContext, IAsyncLifetime
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;
    private Guid _draftId;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        Services.AddSingleton<IDbContextFactory<AppDbContext>>(_db);
        Services.AddSingleton(new WriteBackQueue(_db, Microsoft.Extensions.Options.Options.Create(new WriteBackOptions { Enabled = true }),
            Microsoft.Extensions.Options.Options.Create(new FhirOptions { Source = FhirSourceKind.Server, ServerBaseUrl = "http://127.0.0.1:9/fhir" }),
            new AuditLog(_db, _clock), _clock));
        await using var db = _db.CreateDbContext();
        var draft = new Draft
        {
            PatientId = "p1", PatientLabel = "Patient", RecordSource = "Server", DrafterName = "d", ModelId = "m", TemplateId = "t",
            Status = DraftStatus.Signed, CreatedById = "c", CreatedByName = "C", CreatedAt = _clock.GetUtcNow(),
        };
        db.Drafts.Add(draft);
        await db.SaveChangesAsync(Ct);
        _draftId = draft.Id;
        db.FhirWrites.Add(new FhirWrite
        {
            DraftId = draft.Id, Status = FhirWriteStatus.Failed, Attempts = 8, CreatedAt = _clock.GetUtcNow(),
            LastError = "The FHIR server had an error (503). Gave up after 8 attempts.",
        });
        await db.SaveChangesAsync(Ct);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private void SignIn(string role, string policy)
    {
        var auth = AddAuthorization();
        auth.SetAuthorized("Jordan Lee");
        auth.SetRoles(role);
        auth.SetPolicies(policy);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "u-admin"));
    }

    [Fact]
    public async Task An_admin_sees_why_the_write_failed_and_can_queue_it_again()
    {
        SignIn(Roles.Admin, Policies.Admin);
        var cut = Render<WriteBackState>(p => p.Add(c => c.DraftId, _draftId));

        cut.WaitForAssertion(() => Assert.Contains("FHIR write-back: failed", cut.Find("[data-testid=fhir-write-state]").TextContent));
        Assert.Contains("Gave up after 8 attempts", cut.Markup);
        await cut.InvokeAsync(() => cut.Find("[data-testid=fhir-write-retry]").Click());

        cut.WaitForAssertion(() => Assert.Contains("FHIR write-back: pending", cut.Find("[data-testid=fhir-write-state]").TextContent));
        await using var db = _db.CreateDbContext();
        var write = await db.FhirWrites.SingleAsync(Ct);
        Assert.Equal(FhirWriteStatus.Pending, write.Status);
        Assert.Equal(0, write.Attempts);
        Assert.Equal("Jordan Lee", write.ChangedByName);
        Assert.True(await db.AuditEvents.AnyAsync(a => a.Action == WriteBackAuditActions.Retried && a.UserId == "u-admin", Ct));
    }

    [Fact]
    public void A_clinician_sees_the_state_but_no_retry_or_cancel()
    {
        SignIn(Roles.Clinician, Policies.Clinician);
        var cut = Render<WriteBackState>(p => p.Add(c => c.DraftId, _draftId));

        cut.WaitForAssertion(() => Assert.Contains("FHIR write-back: failed", cut.Find("[data-testid=fhir-write-state]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=fhir-write-retry]"));
        Assert.Empty(cut.FindAll("[data-testid=fhir-write-cancel]"));
    }
}

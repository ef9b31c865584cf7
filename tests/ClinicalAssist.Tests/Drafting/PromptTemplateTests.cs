using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClinicalAssist.Tests.Drafting;

public sealed class PromptTemplateTests : IAsyncLifetime
{
    private static readonly Actor Admin = new("u-admin", "Ada Admin");
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await using var db = _db.CreateDbContext();
        await PromptTemplateStore.SeedAsync(db, _clock, Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private PromptTemplateAdmin Admin_() =>
        TestHost.Create(_db, new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero), time: _clock).Get<PromptTemplateAdmin>();

    [Fact]
    public async Task Seeding_stores_every_embedded_version_once_and_activates_the_newest()
    {
        await using (var db = _db.CreateDbContext()) await PromptTemplateStore.SeedAsync(db, _clock, Ct); // second start-up

        await using var check = _db.CreateDbContext();
        var rows = await check.PromptTemplateVersions.OrderBy(t => t.Version).ToListAsync(Ct);
        Assert.Equal([1, 2, 3], rows.Select(r => r.Version));
        Assert.Equal([false, false, true], rows.Select(r => r.IsActive));
        Assert.All(rows, r => Assert.Equal(PromptTemplateStore.Hash(r.Body), r.ContentHash));
        var active = await new PromptTemplateStore(_db, new PromptBuilder()).GetActiveAsync(PromptBuilder.TemplateId, Ct);
        Assert.Equal(3, active.Version);
    }

    [Fact]
    public async Task Adding_and_activating_versions_is_validated_audited_and_used_by_new_drafts()
    {
        var admin = Admin_();
        var v3 = (await admin.VersionsAsync(Ct)).Single(v => v.Version == 3);

        var invalid = await admin.AddVersionAsync(PromptBuilder.TemplateId, "no parts here", null, Admin, Ct);
        Assert.False(invalid.Succeeded);
        var duplicate = await admin.AddVersionAsync(PromptBuilder.TemplateId, v3.Body, null, Admin, Ct);
        Assert.False(duplicate.Succeeded);
        Assert.Contains("identical to version 3", duplicate.Message, StringComparison.Ordinal);

        var body = v3.Body.Replace("Keep the whole answer under 500 words.", "Keep the whole answer under 300 words.", StringComparison.Ordinal);
        var added = await admin.AddVersionAsync(PromptBuilder.TemplateId, body, "Shorter answers", Admin, Ct);
        Assert.True(added.Succeeded, added.Message);
        Assert.Equal(4, added.Version);
        var store = new PromptTemplateStore(_db, new PromptBuilder());
        Assert.Equal(3, (await store.GetActiveAsync(PromptBuilder.TemplateId, Ct)).Version); // not active until activated

        var activated = await admin.ActivateAsync(PromptBuilder.TemplateId, 4, Admin, Ct);
        Assert.True(activated.Succeeded);
        var versions = await admin.VersionsAsync(Ct);
        Assert.Equal(4, Assert.Single(versions, v => v.IsActive).Version);
        var v4 = versions.Single(v => v.Version == 4);
        Assert.Equal(("Ada Admin", "u-admin", "Shorter answers"), (v4.AuthorName, v4.AuthorId, v4.ChangeNote));
        Assert.Contains("under 300 words", (await store.GetActiveAsync(PromptBuilder.TemplateId, Ct)).Body, StringComparison.Ordinal);

        // A restart does not undo an admin's choice.
        await using (var db = _db.CreateDbContext()) await PromptTemplateStore.SeedAsync(db, _clock, Ct);
        Assert.Equal(4, (await store.GetActiveAsync(PromptBuilder.TemplateId, Ct)).Version);

        await using var check = _db.CreateDbContext();
        var audit = await check.AuditEvents.OrderBy(a => a.Id).ToListAsync(Ct);
        Assert.Equal([PromptTemplateAuditActions.VersionAdded, PromptTemplateAuditActions.VersionActivated], audit.Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal("u-admin", a.UserId));
        Assert.Contains("previous=3", audit[1].Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dry_run_renders_the_prompt_for_a_demo_patient_within_the_budget_and_is_audited()
    {
        var admin = Admin_();
        var v2 = (await admin.VersionsAsync(Ct)).Single(v => v.Version == 2);

        var run = await admin.DryRunAsync(v2.TemplateId, v2.Version, v2.Body, Admin, Ct);

        Assert.InRange(run.Prompt.Tokens, 500, run.TokenBudget);
        Assert.Equal(PromptBuilder.CountTokens(run.Prompt, run.Tokenizer), run.Prompt.Tokens);
        Assert.Contains("PATIENT: age ", run.Prompt.User, StringComparison.Ordinal);
        Assert.Contains("[E1]", run.Prompt.User, StringComparison.Ordinal);
        await using var check = _db.CreateDbContext();
        Assert.Equal(PromptTemplateAuditActions.DryRun, (await check.AuditEvents.SingleAsync(Ct)).Action);
    }
}

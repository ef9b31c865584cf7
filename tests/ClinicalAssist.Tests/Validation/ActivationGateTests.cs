using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Validation;
using Microsoft.EntityFrameworkCore;
using static ClinicalAssist.Tests.Validation.ValidationHarness;

namespace ClinicalAssist.Tests.Validation;

/// <summary>The activation gate: a configuration is activated only with a finished run on the current set that meets
/// the thresholds (else with a written override reason) and a second admin's approval; all of it audited.</summary>
public sealed class ActivationGateTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await DatabaseAsync(_clock);

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<ModelConfiguration> RunAsync(TestHost host, LoopbackModel model, string name, Guid setId)
    {
        var configuration = model.Configuration(name);
        await AddAsync(_db, configuration);
        await StartAsync(host, setId, configuration.Id);
        await host.Get<EvaluationRunner>().RunPendingAsync(Ct);
        return configuration;
    }

    private async Task<List<string>> AuditAsync(string prefix)
    {
        await using var db = _db.CreateDbContext();
        return await db.AuditEvents.Where(e => e.Action.StartsWith(prefix)).OrderBy(e => e.Sequence).Select(e => e.Action + ":" + e.Outcome).ToListAsync(Ct);
    }

    private async Task<bool> IsActiveAsync(Guid id)
    {
        await using var db = _db.CreateDbContext();
        return (await db.ModelConfigurations.SingleAsync(c => c.Id == id, Ct)).IsActive;
    }

    [Fact]
    public async Task A_fabricating_configuration_fails_the_gate_and_a_grounded_one_is_activated_only_by_a_second_admin()
    {
        await using var grounded = await LoopbackModel.StartAsync(LoopbackMode.Grounded);
        await using var fabricating = await LoopbackModel.StartAsync(LoopbackMode.Fabricating);
        await using var host = Instance(_db, _clock);
        var setId = await FrozenDemoSetAsync(host);
        var good = await RunAsync(host, grounded, "Grounded", setId);
        var bad = await RunAsync(host, fabricating, "Fabricating", setId);
        var gate = host.Get<ActivationGate>();

        var refused = await gate.RequestAsync(ActivationTarget.ModelConfiguration, bad.Id.ToString(), null, null, FirstAdmin, Ct);
        Assert.False(refused.Succeeded);
        Assert.Contains("Does not meet them", refused.Message, StringComparison.Ordinal);
        Assert.Contains("citation validity", refused.Message, StringComparison.Ordinal);
        Assert.Contains("must-include recall", refused.Message, StringComparison.Ordinal);

        var requested = await gate.RequestAsync(ActivationTarget.ModelConfiguration, good.Id.ToString(), null, null, FirstAdmin, Ct);
        Assert.True(requested.Succeeded, requested.Message);
        Assert.False(await IsActiveAsync(good.Id)); // nothing is active before a second admin approves

        var alone = await gate.ApproveAsync(requested.Id!.Value, FirstAdmin, Ct);
        Assert.False(alone.Succeeded);
        Assert.Contains("second admin", alone.Message, StringComparison.Ordinal);
        Assert.False(await IsActiveAsync(good.Id));

        var approved = await gate.ApproveAsync(requested.Id.Value, SecondAdmin, Ct);
        Assert.True(approved.Succeeded, approved.Message);
        Assert.True(await IsActiveAsync(good.Id));

        Assert.Equal(["activation.refused:failure", "activation.requested:success", "activation.refused:failure", "activation.approved:success"], await AuditAsync("activation."));
        Assert.Contains(AuditActions.ModelConfigurationActivated + ":success", await AuditAsync("model-config."));
    }

    [Fact]
    public async Task An_override_needs_a_written_reason_and_a_second_admin_and_is_audited_with_its_reason()
    {
        await using var fabricating = await LoopbackModel.StartAsync(LoopbackMode.Fabricating);
        await using var host = Instance(_db, _clock);
        var setId = await FrozenDemoSetAsync(host);
        var bad = await RunAsync(host, fabricating, "Fabricating", setId);
        var gate = host.Get<ActivationGate>();

        Assert.False((await gate.RequestAsync(ActivationTarget.ModelConfiguration, bad.Id.ToString(), null, "   ", FirstAdmin, Ct)).Succeeded);
        var requested = await gate.RequestAsync(ActivationTarget.ModelConfiguration, bad.Id.ToString(), null, "Vendor incident: only this deployment is up", FirstAdmin, Ct);
        Assert.True(requested.Succeeded, requested.Message);
        Assert.False((await gate.ApproveAsync(requested.Id!.Value, FirstAdmin, Ct)).Succeeded);
        Assert.True((await gate.ApproveAsync(requested.Id.Value, SecondAdmin, Ct)).Succeeded);
        Assert.True(await IsActiveAsync(bad.Id));

        await using var db = _db.CreateDbContext();
        var request = await db.ActivationRequests.SingleAsync(Ct);
        Assert.False(request.GatePassed);
        Assert.Equal("Vendor incident: only this deployment is up", request.OverrideReason);
        Assert.Equal((FirstAdmin.Id, SecondAdmin.Id, ActivationRequestStatus.Activated), (request.RequestedById, request.DecidedById, request.Status));
        var audited = await db.AuditEvents.SingleAsync(e => e.Action == ValidationAuditActions.ActivationRequested, Ct);
        Assert.Contains("gate=override", audited.Details, StringComparison.Ordinal);
        Assert.Contains("Vendor incident", audited.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_run_on_the_current_set_a_template_version_is_not_activated()
    {
        await using var grounded = await LoopbackModel.StartAsync(LoopbackMode.Grounded);
        await using var host = Instance(_db, _clock);
        var setId = await FrozenDemoSetAsync(host);
        var good = await RunAsync(host, grounded, "Grounded", setId);
        await using (var db = _db.CreateDbContext())
        {
            foreach (var c in db.ModelConfigurations) c.IsActive = c.Id == good.Id;
            await db.SaveChangesAsync(Ct);
        }
        var gate = host.Get<ActivationGate>();
        var oldVersion = PromptBuilder.TemplateVersion - 1; // the run used the active (newest) version

        var refused = await gate.RequestAsync(ActivationTarget.PromptTemplate, PromptBuilder.TemplateId, oldVersion, null, FirstAdmin, Ct);
        Assert.False(refused.Succeeded);
        Assert.Contains($"No finished run of \"Grounded\" (as it is now) × template v{oldVersion}", refused.Message, StringComparison.Ordinal);

        // A new frozen set becomes the current one: the old run no longer counts.
        _clock.Advance(TimeSpan.FromMinutes(1));
        await FrozenDemoSetAsync(host);
        var stale = await gate.CheckAsync(good.Id, PromptBuilder.TemplateVersion, Ct);
        Assert.False(stale.Passed);
        Assert.Contains("Demo ward v2", stale.Summary, StringComparison.Ordinal);
    }
}

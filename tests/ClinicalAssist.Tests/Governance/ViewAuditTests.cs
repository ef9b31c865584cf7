using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Faults;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Patients;
using ClinicalAssist.Web.Features.Review;
using ClinicalAssist.Web.Features.Rounds;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Tests.Governance;

/// <summary>
/// Each page view is audited exactly once. A direct load or refresh runs the page twice — prerendered (not
/// interactive), then in the circuit with the prerender's persisted state — and writes one row; a page reached by
/// navigation inside the circuit (interactive, nothing persisted) writes one row itself.
/// </summary>
public sealed class ViewAuditTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private static readonly RendererInfo Prerender = new("Static", isInteractive: false);

    private static async Task<int> CountAsync(TestDatabase db, string action)
    {
        await using var read = db.CreateDbContext();
        return await read.AuditEvents.CountAsync(e => e.Action == action, Ct);
    }

    [Fact]
    public async Task A_chart_loaded_directly_is_audited_once_and_a_chart_opened_in_the_circuit_once()
    {
        await using var db = await FaultHarness.DatabaseAsync();
        var key = ViewAudit.StateKey(AuditActions.ChartViewed, "p1");

        // Direct load: the prerender writes the view and persists the mark…
        await using (var prerender = new FaultHarness(db, FaultHarness.Clinician, Roles.Clinician))
        {
            prerender.SetRendererInfo(Prerender);
            var page = prerender.Render<PatientChart>(p => p.Add(x => x.PatientId, "p1"));
            page.WaitForAssertion(() => page.Find("[data-testid=patient-name]"), Patience.Long);
            Assert.Equal(1, await CountAsync(db, AuditActions.ChartViewed));
            prerender.PersistentState.TriggerOnPersisting();
            Assert.True(prerender.PersistentState.TryTake<bool>(key, out var marked) && marked);
        }

        // …and the circuit's run, restoring it, writes nothing more.
        await using (var circuit = new FaultHarness(db, FaultHarness.Clinician, Roles.Clinician))
        {
            circuit.PersistentState.Persist(key, true);
            var page = circuit.Render<PatientChart>(p => p.Add(x => x.PatientId, "p1"));
            page.WaitForAssertion(() => page.Find("[data-testid=patient-name]"), Patience.Long);
            Assert.Equal(1, await CountAsync(db, AuditActions.ChartViewed));
        }

        // Navigation inside a circuit (no prerender): the view is written by the interactive run.
        await using (var navigation = new FaultHarness(db, FaultHarness.Clinician, Roles.Clinician))
        {
            var page = navigation.Render<PatientChart>(p => p.Add(x => x.PatientId, "p1"));
            page.WaitForAssertion(() => page.Find("[data-testid=patient-name]"), Patience.Long);
            Assert.Equal(2, await CountAsync(db, AuditActions.ChartViewed));
        }
    }

    [Fact]
    public async Task A_draft_record_loaded_directly_is_audited_once_and_one_opened_in_the_circuit_once()
    {
        await using var db = await FaultHarness.DatabaseAsync();
        var (draftId, _) = await FaultHarness.SignedDraftAsync(db, FaultHarness.DemoContext());
        var key = ViewAudit.StateKey(AuditActions.DraftViewed, draftId.ToString());

        await using (var prerender = new FaultHarness(db, FaultHarness.ReviewerA, Roles.Reviewer))
        {
            prerender.SetRendererInfo(Prerender);
            var page = prerender.Render<DraftRecord>(p => p.Add(x => x.Id, draftId));
            page.WaitForAssertion(() => Assert.Equal(1, CountAsync(db, AuditActions.DraftViewed).GetAwaiter().GetResult()), Patience.Long);
            prerender.PersistentState.TriggerOnPersisting();
            Assert.True(prerender.PersistentState.TryTake<bool>(key, out var marked) && marked);
        }

        await using (var circuit = new FaultHarness(db, FaultHarness.ReviewerA, Roles.Reviewer))
        {
            circuit.PersistentState.Persist(key, true);
            var page = circuit.Render<DraftRecord>(p => p.Add(x => x.Id, draftId));
            // The record renders after the view decision (the audit is written before the chart context is built).
            page.WaitForAssertion(() => page.Find("[data-testid=record-status]"), Patience.Long);
            await page.InvokeAsync(() => { });
        }

        await using (var navigation = new FaultHarness(db, FaultHarness.ReviewerA, Roles.Reviewer))
        {
            var page = navigation.Render<DraftRecord>(p => p.Add(x => x.Id, draftId));
            page.WaitForAssertion(() => Assert.Equal(2, CountAsync(db, AuditActions.DraftViewed).GetAwaiter().GetResult()), Patience.Long);
        }
        Assert.Equal(2, await CountAsync(db, AuditActions.DraftViewed));
    }

    /// <summary>The handover page for the seeded clinician "u-clin", with the product's rounds services.</summary>
    private sealed class HandoverPage : MudTestContext
    {
        public HandoverPage(TestDatabase db, bool prerender)
        {
            var host = TestHost.Create(db);
            Services.AddSingleton(host.Get<RoundsList>());
            Services.AddSingleton<Microsoft.EntityFrameworkCore.IDbContextFactory<AppDbContext>>(db);
            Services.AddSingleton(host.Get<AuditLog>());
            Services.AddSingleton(TimeProvider.System);
            var auth = AddAuthorization();
            auth.SetAuthorized("Dr Clinician");
            auth.SetRoles(Roles.Clinician);
            auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "u-clin"), new Claim(ClinicalAssistClaims.DisplayName, "Dr Clinician"));
            State = AddBunitPersistentComponentState();
            SetRendererInfo(prerender ? Prerender : new RendererInfo("Server", isInteractive: true));
        }

        public Bunit.TestDoubles.BunitPersistentComponentState State { get; }

        /// <summary>Renders the page and waits until it has loaded (its view decision is made before loading ends).</summary>
        public void RenderLoaded()
        {
            var page = Render<Handover>();
            page.WaitForAssertion(() =>
            {
                page.Find("[data-testid=handover]");
                Assert.Empty(page.FindAll(".mud-progress-linear"));
            }, Patience.Long);
        }
    }

    [Fact]
    public async Task The_handover_loaded_directly_is_audited_once_and_opened_in_the_circuit_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        var key = ViewAudit.StateKey(AuditActions.RoundsHandoverViewed, "u-clin");

        await using (var prerender = new HandoverPage(db, prerender: true))
        {
            prerender.RenderLoaded();
            Assert.Equal(1, await CountAsync(db, AuditActions.RoundsHandoverViewed));
            prerender.State.TriggerOnPersisting();
            Assert.True(prerender.State.TryTake<bool>(key, out var marked) && marked);
        }

        await using (var circuit = new HandoverPage(db, prerender: false))
        {
            circuit.State.Persist(key, true);
            circuit.RenderLoaded();
            Assert.Equal(1, await CountAsync(db, AuditActions.RoundsHandoverViewed));
        }

        await using (var navigation = new HandoverPage(db, prerender: false))
        {
            navigation.RenderLoaded();
            Assert.Equal(2, await CountAsync(db, AuditActions.RoundsHandoverViewed));
        }
    }
}

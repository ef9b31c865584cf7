using System.Security.Claims;
using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Drafting;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Rounds;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using static ClinicalAssist.Tests.Context.ContextTestSupport;
using static ClinicalAssist.Tests.Rounds.RoundsFakes;
using Task = System.Threading.Tasks.Task;

namespace ClinicalAssist.Tests.Rounds;

/// <summary>The rounds page: the list in bed order with each row's draft state, "Prepare drafts" with live progress
/// while the worker runs, cancel, and removing a patient.</summary>
public sealed class RoundsPageTests : MudTestContext, IAsyncLifetime
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private TestDatabase _db = null!;
    private Harness _h = null!;
    private readonly DemoRecordSource _source = new(Options.Create(new FhirOptions { DemoPatientCount = 5 }), new FakeTimeProvider(Now));

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _h = Harness.Create(_db, _source, new FakeModel());
        Services.AddSingleton(_h.List);
        Services.AddSingleton(_h.Batches);
        Services.AddSingleton(_h.Signals);
        Services.AddSingleton(_h.Models);
        Services.AddSingleton(_h.Generator);
        Services.AddSingleton(TimeProvider.System);
        var auth = AddAuthorization();
        auth.SetAuthorized("Dr Clinician");
        auth.SetRoles("Clinician");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "u-clin"), new Claim(ClinicalAssistClaims.DisplayName, "Dr Clinician"));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private IRenderedComponent<IComponent> RenderPage() => Render(builder =>
    {
        builder.OpenComponent<MudPopoverProvider>(0);
        builder.CloseComponent();
        builder.OpenComponent<MudSnackbarProvider>(1);
        builder.CloseComponent();
        builder.OpenComponent<RoundsPage>(2);
        builder.CloseComponent();
    });

    [Fact]
    public async Task Lists_patients_in_bed_order_prepares_drafts_with_live_progress_and_removes_a_patient()
    {
        var census = (await _source.SearchPatientsAsync(null, Ct)).OrderBy(p => p.Location ?? "", NaturalComparer.Instance).ToList();
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll("[data-testid=rounds-row]").Count), Patience.Medium);
        Assert.Equal(census.Select(p => p.DisplayName), cut.FindAll("[data-testid=rounds-patient]").Select(a => a.TextContent));
        Assert.All(cut.FindAll("[data-testid=row-status]"), s => Assert.Equal("No draft", s.TextContent.Trim()));
        Assert.All(cut.FindAll("[data-testid=rounds-patient]"), a => Assert.EndsWith("?from=rounds", a.GetAttribute("href")));

        await cut.InvokeAsync(() => cut.Find("[data-testid=prepare-drafts] ").Click());
        cut.WaitForAssertion(() => Assert.Contains("0 of 5", cut.Find("[data-testid=batch-count]").TextContent), Patience.Medium);
        Assert.All(cut.FindAll("[data-testid=row-status]"), s => Assert.Equal("Preparing", s.TextContent.Trim()));
        Assert.NotEmpty(cut.FindAll("[data-testid=cancel-batch]"));

        // The worker runs; the page follows its progress without a reload.
        await _h.Runner.RunPendingAsync(Ct);
        cut.WaitForAssertion(() => Assert.Contains("5 of 5", cut.Find("[data-testid=batch-count]").TextContent), Patience.Medium);
        cut.WaitForAssertion(() => Assert.All(cut.FindAll("[data-testid=row-status]"),
            s => Assert.Contains(s.TextContent.Trim(), new[] { "Ready", "Needs attention" })), Patience.Medium);
        await using (var db = _db.CreateDbContext())
        {
            var warnings = await db.Drafts.Where(d => d.WarningCount > 0).CountAsync(Ct);
            Assert.Equal(warnings, cut.FindAll("[data-testid=row-warnings]").Count);
        }
        // The batch's completion reaches the page just after its last item: the button comes back then.
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=prepare-drafts]")), Patience.Medium);

        await cut.InvokeAsync(() => cut.FindAll("[data-testid=remove-patient]")[0].Click());
        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("[data-testid=rounds-row]").Count), Patience.Medium);
        Assert.DoesNotContain(census[0].DisplayName, cut.Find("[data-testid=rounds-list]").TextContent);

        // Undo: back in its bed-order place, as a census patient (not "added by you"), and audited.
        Assert.Contains(census[0].DisplayName, cut.Find("[data-testid=removed-info]").TextContent);
        await cut.InvokeAsync(() => cut.Find("[data-testid=undo-remove]").Click());
        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll("[data-testid=rounds-row]").Count), Patience.Medium);
        Assert.Equal(census.Select(p => p.DisplayName), cut.FindAll("[data-testid=rounds-patient]").Select(a => a.TextContent));
        Assert.DoesNotContain("added by you", cut.Find("[data-testid=rounds-list]").TextContent);
        Assert.Empty(cut.FindAll("[data-testid=removed-info]"));
        await using (var db = _db.CreateDbContext())
        {
            Assert.Equal(0, await db.RoundsListEntries.CountAsync(Ct));
            Assert.Equal(1, await db.AuditEvents.CountAsync(a => a.Action == AuditActions.RoundsPatientAdded && a.Details == "undo of removal", Ct));
        }
    }

    [Fact]
    public async Task Cancel_marks_the_waiting_patients_cancelled_and_offers_retry()
    {
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll("[data-testid=rounds-row]").Count), Patience.Medium);
        await cut.InvokeAsync(() => cut.Find("[data-testid=prepare-drafts]").Click());
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=cancel-batch]")), Patience.Medium);

        await cut.InvokeAsync(() => cut.Find("[data-testid=cancel-batch]").Click());
        cut.WaitForAssertion(() => Assert.Contains("cancelled", cut.Find("[data-testid=batch-progress]").TextContent), Patience.Medium);
        Assert.Equal(5, cut.FindAll("[data-testid=retry-item]").Count);
        await using var db = _db.CreateDbContext();
        Assert.Equal(RoundsBatchStatus.Cancelled, (await db.RoundsBatches.SingleAsync(Ct)).Status);
    }

    [Fact]
    public async Task The_busy_banner_shows_only_while_the_active_models_deployment_is_rate_limited()
    {
        // As the app drafts: the active configuration's deployment through the product's model pipeline.
        var h = await Harness.CreateAsync(_db, _source, new InProcessModelEndpoint(), maxRetries: 0);
        Services.AddSingleton(h.List);
        Services.AddSingleton(h.Batches);
        Services.AddSingleton(h.Signals);
        Services.AddSingleton(h.Models);
        Services.AddSingleton(h.Generator);
        // Another deployment (an earlier configuration's) answered 429: this batch's drafts do not wait for it.
        h.Models.PaceFor(new ModelOptions { Provider = ModelProvider.FoundryOpenAI, Endpoint = new Uri("https://other-model.invalid/openai/v1/"), Deployment = "other" })
            .Close(TimeSpan.FromSeconds(60), TimeProvider.System);
        var cut = RenderPage();
        cut.WaitForAssertion(() => Assert.Equal(5, cut.FindAll("[data-testid=rounds-row]").Count), Patience.Medium);
        await cut.InvokeAsync(() => cut.Find("[data-testid=prepare-drafts]").Click());
        // Running (the worker is not started), shown after the page reloaded the batch and the active model's pace.
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=cancel-batch]")), Patience.Medium);
        Assert.Empty(cut.FindAll("[data-testid=rate-limited]"));
        var batchId = (await h.Batches.LatestAsync("u-clin", Ct))!.Id;

        // The active deployment answered 429: its drafts wait, and the page says so.
        (await h.ActivePaceAsync())!.Close(TimeSpan.FromSeconds(60), TimeProvider.System);
        h.Signals.Publish(batchId);
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll("[data-testid=rate-limited]")), Patience.Medium);
    }
}

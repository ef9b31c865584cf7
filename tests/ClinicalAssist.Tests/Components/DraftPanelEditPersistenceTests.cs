using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Faults;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Components;

/// <summary>
/// Never lose an edit (bUnit, the real panel, drafter and workflow over a migrated database): the clinician's edit is
/// saved to the database <see cref="DraftEdits.SaveDelay"/> after the last keystroke (on the test's clock), also when
/// they leave the draft sooner (Next/Previous), and a new circuit — after a restart or the idle sign-out — restores it
/// and says so; signing stores that text and removes the working copy; another clinician never gets it.
/// </summary>
public sealed class DraftPanelEditPersistenceTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private static readonly Actor Robin = new("u1", "Dr Robin Second");

    private static async Task<(Guid Id, string Generated)> DraftAsync(IDbContextFactory<AppDbContext> database, Web.Features.Context.PatientContext context)
    {
        var id = await FaultHarness.NewGenerator(database, new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero))
            .GenerateAsync(context, "Demo", FaultHarness.Clinician, _ => Task.CompletedTask, Ct);
        return (id, (await FaultHarness.LoadAsync(database, id)).GeneratedText);
    }

    private static async Task<List<DraftEdit>> EditsAsync(IDbContextFactory<AppDbContext> database)
    {
        await using var db = await database.CreateDbContextAsync(Ct);
        return await db.DraftEdits.AsNoTracking().ToListAsync(Ct);
    }

    private static FaultHarness Ui(IDbContextFactory<AppDbContext> database, TimeProvider clock, Actor? user = null) =>
        new(database, user ?? FaultHarness.Clinician, Roles.Clinician, configure: s => s.AddSingleton(clock));

    [Fact]
    public async Task An_edit_is_saved_as_typed_restored_in_a_new_circuit_and_removed_when_signed()
    {
        await using var database = await FaultHarness.DatabaseAsync();
        var context = FaultHarness.DemoContext();
        var (id, generated) = await DraftAsync(database, context);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var edited = generated + "\nPlan: repeat potassium tomorrow morning.";

        await using (var first = Ui(database, clock))
        {
            var panel = first.Render<DraftPanel>(p => p.Add(x => x.Context, context));
            panel.WaitForAssertion(() => Assert.Equal("Draft", panel.Find("[data-testid=draft-status]").TextContent.Trim()));
            await panel.InvokeAsync(() => panel.Find("[data-testid=edit-draft]").Click());
            await panel.InvokeAsync(() => panel.Find("[data-testid=draft-editor]").Input(edited));

            // Not yet: the save waits for a pause in typing, and the page says it is unsaved (the browser asks before leaving).
            Assert.Equal("true", panel.Find("[data-testid=draft-panel]").GetAttribute("data-unsaved"));
            Assert.Empty(await EditsAsync(database));
            clock.Advance(DraftEdits.SaveDelay);
            panel.WaitForAssertion(() => Assert.StartsWith("Edit saved at", panel.Find("[data-testid=edit-state]").TextContent.Trim(), StringComparison.Ordinal));
            Assert.Null(panel.Find("[data-testid=draft-panel]").GetAttribute("data-unsaved"));
            var saved = Assert.Single(await EditsAsync(database));
            Assert.Equal((id, FaultHarness.Clinician.Id, edited), (saved.DraftId, saved.UserId, saved.Text));
            Assert.Equal((await FaultHarness.LoadAsync(database, id)).Version, saved.DraftVersion);
        }

        // Another clinician's circuit shows the draft's own text: the edit is its author's.
        await using (var other = Ui(database, clock, Robin))
        {
            var panel = other.Render<DraftPanel>(p => p.Add(x => x.Context, context));
            panel.WaitForAssertion(() => Assert.NotEmpty(panel.FindAll("[data-testid=take-over]")));
            Assert.Empty(panel.FindAll("[data-testid=edit-restored]"));
            Assert.DoesNotContain("repeat potassium", panel.Find("[data-testid=draft-panel]").TextContent, StringComparison.Ordinal);
        }

        // A new circuit of the author (the app restarted, or they signed in again after the idle sign-out).
        await using (var again = Ui(database, clock))
        {
            var panel = again.Render<DraftPanel>(p => p.Add(x => x.Context, context));
            panel.WaitForAssertion(() => Assert.Contains("was restored", panel.Find("[data-testid=edit-restored]").TextContent, StringComparison.Ordinal));
            Assert.Equal(edited, panel.Find("[data-testid=draft-editor]").GetAttribute("value"));
            panel.Find("input[data-testid=attest]").Change(true);
            await panel.Find("[data-testid=sign-draft]").ClickAsync(new());
            panel.WaitForAssertion(() => Assert.Equal("Signed", panel.Find("[data-testid=draft-status]").TextContent.Trim()));
        }
        Assert.Equal(edited.Trim(), (await FaultHarness.LoadAsync(database, id)).SignedText);
        Assert.Empty(await EditsAsync(database));
    }

    [Fact]
    public async Task Leaving_the_draft_before_the_save_delay_still_saves_the_edit_and_discarding_it_restores_the_draft_text()
    {
        await using var database = await FaultHarness.DatabaseAsync();
        var context = FaultHarness.DemoContext();
        var (id, generated) = await DraftAsync(database, context);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var edited = generated.Replace("Summary", "Summary (reviewed at the bedside)", StringComparison.Ordinal);
        Assert.NotEqual(generated, edited);

        await using (var first = Ui(database, clock))
        {
            var panel = first.Render<DraftPanel>(p => p.Add(x => x.Context, context));
            panel.WaitForAssertion(() => Assert.NotEmpty(panel.FindAll("[data-testid=edit-draft]")));
            await panel.InvokeAsync(() => panel.Find("[data-testid=edit-draft]").Click());
            await panel.InvokeAsync(() => panel.Find("[data-testid=draft-editor]").Input(edited));
            Assert.Empty(await EditsAsync(database));
        } // Next/Previous: the chart page removes the panel, which saves what was typed in the last second.
        Assert.Equal(edited, Assert.Single(await EditsAsync(database)).Text);

        await using var again = Ui(database, clock);
        var restored = again.Render<DraftPanel>(p => p.Add(x => x.Context, context));
        restored.WaitForAssertion(() => Assert.Equal(edited, restored.Find("[data-testid=draft-editor]").GetAttribute("value")));
        await restored.InvokeAsync(() => restored.Find("[data-testid=discard-edit]").Click());
        restored.WaitForAssertion(() => Assert.Equal(generated, restored.Find("[data-testid=draft-editor]").GetAttribute("value")));
        Assert.Empty(restored.FindAll("[data-testid=edit-restored]"));
        Assert.Empty(await EditsAsync(database));
        Assert.Equal(DraftStatus.Draft, (await FaultHarness.LoadAsync(database, id)).Status);
    }
}

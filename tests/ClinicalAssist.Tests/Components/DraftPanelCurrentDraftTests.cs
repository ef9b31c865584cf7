using System.Runtime.CompilerServices;
using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Faults;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Rounds;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClinicalAssist.Tests.Components;

/// <summary>
/// The clinician's draft panel (bUnit, real generator and workflow over a migrated database): a stale tab's Sign on a
/// draft superseded meanwhile is refused in plain words and audited; another clinician's unsigned draft shows
/// "Take over" instead of Edit/Sign/Reject, and taking it over is shown and audited; "Try again" appears exactly
/// where the stored outcome is retryable (the matrix below), in the chart and in rounds.
/// </summary>
public sealed class DraftPanelCurrentDraftTests
{
    private static readonly Actor Robin = new("u1", "Dr Robin Second");

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_stale_tab_that_signs_a_superseded_draft_is_refused_in_plain_words()
    {
        await using var database = await FaultHarness.DatabaseAsync();
        var context = FaultHarness.DemoContext();
        var generator = FaultHarness.NewGenerator(database, new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero));
        var stale = await generator.GenerateAsync(context, "Demo", FaultHarness.Clinician, _ => Task.CompletedTask, Ct);
        await using var tab = new FaultHarness(database, FaultHarness.Clinician, Roles.Clinician);
        var panel = tab.Render<DraftPanel>(p => p.Add(x => x.Context, context));
        panel.WaitForAssertion(() => Assert.Equal("Draft", panel.Find("[data-testid=draft-status]").TextContent.Trim()));

        // Another tab of the same clinician generates a newer draft; this tab still shows the older one.
        var current = await generator.GenerateAsync(context, "Demo", FaultHarness.Clinician, _ => Task.CompletedTask, Ct);
        panel.Find("input[data-testid=attest]").Change(true);
        await panel.Find("[data-testid=sign-draft]").ClickAsync(new());

        panel.WaitForAssertion(() => Assert.Equal("Superseded", panel.Find("[data-testid=draft-status]").TextContent.Trim()));
        var createdAt = (await FaultHarness.LoadAsync(database, current)).CreatedAt;
        var expected = $"Superseded by the draft of {createdAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC";
        Assert.Equal($"{expected}, so it cannot be signed. Nothing was changed; open the current draft.", panel.Find("[data-testid=draft-message]").TextContent.Trim());
        Assert.StartsWith(expected, panel.Find("[data-testid=superseded-info]").TextContent.Trim(), StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-testid=sign-draft]"));
        Assert.Equal(DraftStatus.Superseded, (await FaultHarness.LoadAsync(database, stale)).Status);
        await using var db = database.CreateDbContext();
        Assert.Equal(1, await db.AuditEvents.CountAsync(a => a.DraftId == stale && a.Action == AuditActions.DecisionRefused && a.Outcome == "refused", Ct));
        Assert.Equal(0, await db.AuditEvents.CountAsync(a => a.DraftId == stale && a.Action == AuditActions.DraftSigned, Ct));
    }

    [Fact]
    public async Task Another_clinicians_draft_shows_take_over_and_taking_it_over_is_shown_and_audited()
    {
        await using var database = await FaultHarness.DatabaseAsync();
        var context = FaultHarness.DemoContext();
        var robins = await FaultHarness.NewGenerator(database, new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero))
            .GenerateAsync(context, "Demo", Robin, _ => Task.CompletedTask, Ct);
        await using var ui = new FaultHarness(database, FaultHarness.Clinician, Roles.Clinician);
        var panel = ui.Render<DraftPanel>(p => p.Add(x => x.Context, context));
        panel.WaitForAssertion(() => Assert.Equal("Draft", panel.Find("[data-testid=draft-status]").TextContent.Trim()));

        Assert.Contains("Dr Robin Second's", panel.Find("[data-testid=draft-owner]").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-testid=sign-draft]"));
        Assert.Empty(panel.FindAll("[data-testid=edit-draft]"));
        Assert.Empty(panel.FindAll("[data-testid=reject-draft]"));

        await panel.Find("[data-testid=take-over]").ClickAsync(new());

        panel.WaitForAssertion(() => Assert.StartsWith($"Taken over by {FaultHarness.Clinician.Name}", panel.Find("[data-testid=taken-over-info]").TextContent.Trim(), StringComparison.Ordinal));
        Assert.Contains("started by Dr Robin Second", panel.Find("[data-testid=taken-over-info]").TextContent, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("[data-testid=take-over]"));
        await using (var db = database.CreateDbContext())
        {
            var audited = await db.AuditEvents.AsNoTracking().SingleAsync(a => a.DraftId == robins && a.Action == AuditActions.DraftTakenOver, Ct);
            Assert.Equal((FaultHarness.Clinician.Id, "from=u1"), (audited.UserId, audited.Details));
        }

        panel.Find("input[data-testid=attest]").Change(true);
        await panel.Find("[data-testid=sign-draft]").ClickAsync(new());
        panel.WaitForAssertion(() => Assert.Equal("Signed", panel.Find("[data-testid=draft-status]").TextContent.Trim()));
        Assert.Equal(FaultHarness.Clinician.Id, (await FaultHarness.LoadAsync(database, robins)).ClinicianDecisionById);
    }

    /// <summary>A drafter whose answer ends the way a case says: a failure the model calls retryable or final, or
    /// text then a wait until the clinician presses Stop.</summary>
    private sealed class OutcomeModel(string outcome, Action? onFirstText = null) : IDraftModel
    {
        public string DisplayName => "Outcome fake model";
        public bool IsAi => true;
        public string ModelId => "outcome-fake";

        public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            switch (outcome)
            {
                case "failed-retryable":
                    throw new DraftModelException("The AI service is temporarily unavailable (HTTP 503). Try again in a few minutes, or use the offline draft.", retryable: true, 503);
                case "failed-final":
                    throw new DraftModelException("The AI service's content filter blocked this request, so no AI draft was produced. Write the summary yourself or use the offline draft.",
                        retryable: false, 400, "content_filter");
                default:
                    yield return "Summary: ";
                    onFirstText?.Invoke();
                    await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
                    break;
            }
        }
    }

    public static TheoryData<string, string> RetryCases => new()
    {
        { "none", "Generate summary" },
        { "failed-retryable", "Try again" },
        { "failed-final", "Generate new summary" },
        { "stopped", "Try again" },
        { "interrupted", "Try again" },
        { "draft", "Generate new summary" },
        { "signed", "Generate new summary" },
        { "superseded", "Generate new summary" },
    };

    [Theory]
    [MemberData(nameof(RetryCases))]
    public async Task Try_again_is_offered_exactly_where_a_retry_is_possible(string outcome, string label)
    {
        await using var database = await FaultHarness.DatabaseAsync();
        var context = FaultHarness.DemoContext();
        var offline = FaultHarness.NewGenerator(database, new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero));
        Guid? id = null;
        switch (outcome)
        {
            case "failed-retryable" or "failed-final":
                id = await FaultHarness.NewGenerator(database, new OutcomeModel(outcome)).GenerateAsync(context, "Demo", FaultHarness.Clinician, _ => Task.CompletedTask, Ct);
                break;
            case "stopped":
                using (var stop = new CancellationTokenSource())
                {
                    id = await FaultHarness.NewGenerator(database, new OutcomeModel(outcome, stop.Cancel)).GenerateAsync(context, "Demo", FaultHarness.Clinician, _ => Task.CompletedTask, stop.Token);
                }
                break;
            case "interrupted":
                // A draft left generating by a killed process, recovered by the real start-up step.
                using (var hold = new CancellationTokenSource())
                {
                    var started = new TaskCompletionSource<Guid>();
                    var abandoned = FaultHarness.NewGenerator(database, new OutcomeModel(outcome)).GenerateAsync(context, "Demo", FaultHarness.Clinician,
                        p => { started.TrySetResult(p.DraftId); return Task.CompletedTask; }, hold.Token);
                    id = await started.Task.WaitAsync(Patience.Medium, Ct);
                    await using (var db = database.CreateDbContext())
                    {
                        // After the killed process's lease on the draft ran out.
                        var lease = new WorkLeaseOptions().Duration;
                        await InterruptedDrafts.MarkAsync(db, new AuditLog(database, TimeProvider.System), NullLogger.Instance,
                            DateTimeOffset.UtcNow + lease + TimeSpan.FromSeconds(1), lease, Ct);
                    }
                    // Shown as after the restart: the panel below reads only what is stored.
                    Assert.Equal(DraftStatus.Interrupted, (await FaultHarness.LoadAsync(database, id.Value)).Status);
                    await using var ui0 = new FaultHarness(database, FaultHarness.Clinician, Roles.Clinician);
                    var panel0 = ui0.Render<DraftPanel>(p => p.Add(x => x.Context, context));
                    panel0.WaitForAssertion(() => Assert.Equal("Interrupted", panel0.Find("[data-testid=draft-status]").TextContent.Trim()));
                    Assert.Equal(label, panel0.Find("[data-testid=generate-summary]").TextContent.Trim());
                    Assert.True((await FaultHarness.LoadAsync(database, id.Value)).FailureRetryable);
                    hold.Cancel();
                    await abandoned;
                    return;
                }
            case "draft":
                id = await offline.GenerateAsync(context, "Demo", FaultHarness.Clinician, _ => Task.CompletedTask, Ct);
                break;
            case "signed":
                id = (await FaultHarness.SignedDraftAsync(database, context)).Id;
                break;
            case "superseded":
                id = await offline.GenerateAsync(context, "Demo", FaultHarness.Clinician, _ => Task.CompletedTask, Ct);
                await offline.GenerateAsync(context, "Demo", FaultHarness.Clinician, _ => Task.CompletedTask, Ct); // supersedes it
                await using (var db = database.CreateDbContext())
                {
                    // The panel opens the patient's newest draft: make the superseded one the newest, as a stale tab shows it.
                    await db.Drafts.Where(d => d.Id == id).ExecuteUpdateAsync(s => s.SetProperty(d => d.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(5)), Ct);
                }
                break;
        }

        await using var ui = new FaultHarness(database, FaultHarness.Clinician, Roles.Clinician);
        var panel = ui.Render<DraftPanel>(p => p.Add(x => x.Context, context));
        panel.WaitForAssertion(() => Assert.Equal(label, panel.Find("[data-testid=generate-summary]").TextContent.Trim()));
        if (id is { } stored)
        {
            var draft = await FaultHarness.LoadAsync(database, stored);
            Assert.Equal(draft.Status.ToString(), panel.Find("[data-testid=draft-status]").TextContent.Trim());
            Assert.Equal(label == "Try again", DraftRetry.Offered(draft));
        }
    }

    public static TheoryData<RoundsItemStatus?, DraftStatus?, bool, bool> RoundsRetryCases => new()
    {
        { RoundsItemStatus.Failed, DraftStatus.Failed, true, true },
        { RoundsItemStatus.Failed, DraftStatus.Failed, false, false },     // e.g. a content-filter refusal
        { RoundsItemStatus.Failed, null, false, true },                    // the record could not be loaded: no draft yet
        { RoundsItemStatus.Cancelled, DraftStatus.Stopped, true, true },
        { RoundsItemStatus.Failed, DraftStatus.Interrupted, true, true },
        { RoundsItemStatus.Ready, DraftStatus.Draft, false, false },
        { RoundsItemStatus.Running, DraftStatus.Generating, false, false },
        { null, DraftStatus.Failed, true, false },                         // not in a batch: the chart's Try again applies
    };

    [Theory]
    [MemberData(nameof(RoundsRetryCases))]
    public void Rounds_offers_retry_exactly_where_a_retry_is_possible(RoundsItemStatus? item, DraftStatus? draft, bool failureRetryable, bool offered)
    {
        var row = new RoundsRow(new Web.Features.Context.PatientSummary("p1", "Test Patient", "female", 70, null, null, null, null, null), false, RoundsDraftState.NeedsAttention,
            draft is null ? null : Guid.NewGuid(), draft, 0, 0, null, Guid.NewGuid(), item, null, failureRetryable);
        Assert.Equal(offered, row.CanRetry);
    }
}

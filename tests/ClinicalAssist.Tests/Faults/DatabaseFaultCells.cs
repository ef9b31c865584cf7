using System.Runtime.CompilerServices;
using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClinicalAssist.Tests.Faults;

/// <summary>
/// Fault matrix, database row: two reviewers deciding the same draft at once (two DraftRecord pages, two
/// DbContexts), a write failing inside the sign-off's and the review decision's transaction (an EF command
/// interceptor fails the transaction after its first statement ran), and the app killed while a draft streams
/// (in process: the generation is abandoned mid-stream with its partial text persisted, the start-up recovery runs
/// as after a restart, and a fresh DraftPanel is opened; the browser test ReviewReturnAndRecoveryTests kills the
/// real app process).
/// </summary>
public sealed class DatabaseFaultCells
{
    public static readonly IReadOnlyList<string> Faults =
        ["concurrent decisions", "write failing mid-transaction (sign-off)", "write failing mid-transaction (review decision)", "app killed while streaming"];

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public Task Concurrent_decisions() => FaultCell.RunAsync("Database", Faults[0], async cell =>
    {
        await using var database = await FaultHarness.DatabaseAsync();
        var context = FaultHarness.DemoContext();
        var (draftId, signedText) = await FaultHarness.SignedDraftAsync(database, context);

        await using var a = new FaultHarness(database, FaultHarness.ReviewerA, Roles.Reviewer);
        await using var b = new FaultHarness(database, FaultHarness.ReviewerB, Roles.Reviewer);
        var pageA = a.Render<DraftRecord>(p => p.Add(x => x.Id, draftId));
        var pageB = b.Render<DraftRecord>(p => p.Add(x => x.Id, draftId));
        pageA.WaitForAssertion(() => pageA.Find("[data-testid=approve]"));
        pageB.WaitForAssertion(() => pageB.Find("[data-testid=return]"));
        await pageB.Find("[data-testid=return]").ClickAsync(new());
        await pageB.InvokeAsync(() => pageB.Find("[data-testid=reason-comment]").Input("Potassium trend is from the previous admission."));

        // Both press at the same moment: A approves, B returns.
        await Task.WhenAll(pageA.Find("[data-testid=approve]").ClickAsync(new()), pageB.Find("[data-testid=reason-submit]").ClickAsync(new()));

        var draft = await FaultHarness.LoadAsync(database, draftId);
        var winnerIsA = draft.Review?.ReviewerId == FaultHarness.ReviewerA.Id;
        var (winner, loser, loserPage) = winnerIsA ? (FaultHarness.ReviewerA, FaultHarness.ReviewerB, pageB) : (FaultHarness.ReviewerB, FaultHarness.ReviewerA, pageA);
        loserPage.WaitForAssertion(() => loserPage.Find("[data-testid=decision-message]"));
        var shown = loserPage.Find("[data-testid=decision-message]").TextContent.Trim();
        cell.Message(() => $"(to {(winnerIsA ? "B" : "A")}) {shown}", () =>
        {
            Assert.StartsWith($"Already {(winnerIsA ? "approved" : "returned")} by {winner.Name}", shown, StringComparison.Ordinal);
            Assert.Contains("Nothing was changed", shown, StringComparison.Ordinal);
            Assert.Empty(loserPage.FindAll("[data-testid=approve]"));
        });

        cell.State("one decision row (the first reviewer's); status follows it; the refused one is audited", () =>
        {
            using var db = database.CreateDbContext();
            var decision = Assert.Single(db.ReviewDecisions.Where(r => r.DraftId == draftId).ToList());
            Assert.Equal(winner.Id, decision.ReviewerId);
            Assert.Equal(winnerIsA ? DraftStatus.Approved : DraftStatus.Returned, draft.Status);
            Assert.Equal(1, db.AuditEvents.Count(e => e.DraftId == draftId && (e.Action == AuditActions.DraftApproved || e.Action == AuditActions.DraftReturned)));
            Assert.Equal(1, db.AuditEvents.Count(e => e.DraftId == draftId && e.Action == AuditActions.DecisionRefused && e.UserId == loser.Id));
        });

        cell.Kept("the other reviewer's decision (and comment) and the clinician's sign-off intact; both pages show the outcome", () =>
        {
            Assert.Equal((signedText, FaultHarness.Clinician.Name), (draft.SignedText, draft.ClinicianDecisionByName));
            if (!winnerIsA) Assert.Equal("Potassium trend is from the previous admission.", draft.Review!.Comment);
            foreach (var page in new[] { pageA, pageB })
            {
                page.WaitForAssertion(() => Assert.Equal(draft.Status.ToString(), page.Find("[data-testid=record-status]").TextContent.Trim()));
                Assert.Contains($"by {winner.Name}", page.Find("[data-testid=review-decision]").TextContent, StringComparison.Ordinal);
            }
        });
    });

    [Fact]
    public Task Write_failing_in_the_sign_off_transaction() => FaultCell.RunAsync("Database", Faults[1], async cell =>
    {
        await using var database = await FaultHarness.DatabaseAsync();
        var faulty = new FaultyDatabase(database);
        var context = FaultHarness.DemoContext();
        var draftId = await FaultHarness.NewGenerator(database, new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero))
            .GenerateAsync(context, "Demo", FaultHarness.Clinician, _ => Task.CompletedTask, Ct);

        await using var ui = new FaultHarness(faulty, FaultHarness.Clinician, Roles.Clinician);
        var panel = ui.Render<DraftPanel>(p => p.Add(x => x.Context, context));
        panel.WaitForAssertion(() => Assert.Equal("Draft", panel.Find("[data-testid=draft-status]").TextContent.Trim()));
        await panel.Find("[data-testid=edit-draft]").ClickAsync(new());
        var edited = (await FaultHarness.LoadAsync(database, draftId)).GeneratedText + "\nDiscussed with the renal team; repeat potassium at 18:00.";
        await panel.InvokeAsync(() => panel.Find("[data-testid=draft-editor]").Input(edited));
        await panel.InvokeAsync(() => panel.Find("input[data-testid=attest]").Change(true));

        faulty.FailWhen = sql => sql.Contains("\"Drafts\"", StringComparison.Ordinal) && sql.Contains("UPDATE", StringComparison.Ordinal);
        await panel.Find("[data-testid=sign-draft]").ClickAsync(new());

        var shown = panel.Find("[data-testid=draft-message]").TextContent.Trim();
        var afterFailure = await FaultHarness.LoadAsync(database, draftId);
        cell.Message(() => shown, () =>
        {
            Assert.Equal(1, faulty.Failures);
            Assert.Contains("could not be saved", shown, StringComparison.Ordinal);
            Assert.Contains("nothing was changed", shown, StringComparison.Ordinal);
        });
        cell.State("rolled back as a whole: still Draft, no signed text, no draft.signed audit event", () =>
        {
            Assert.Equal(DraftStatus.Draft, afterFailure.Status);
            Assert.Null(afterFailure.SignedText);
            Assert.Null(afterFailure.ClinicianDecisionAt);
            using var db = database.CreateDbContext();
            Assert.False(db.AuditEvents.Any(e => e.DraftId == draftId && e.Action == AuditActions.DraftSigned));
        });
        cell.Kept("the clinician's edit and attestation stay on screen; signing again stores exactly that edit", () =>
        {
            Assert.Equal(edited, panel.Find("[data-testid=draft-editor]").GetAttribute("value") ?? panel.Find("[data-testid=draft-editor]").TextContent);
            panel.InvokeAsync(() => panel.Find("[data-testid=sign-draft]").Click()).GetAwaiter().GetResult(); // enabled: the attestation is still ticked
            panel.WaitForAssertion(() => Assert.Equal("Signed", panel.Find("[data-testid=draft-status]").TextContent.Trim()));
            var signed = FaultHarness.LoadAsync(database, draftId).GetAwaiter().GetResult();
            Assert.Equal(edited.Trim(), signed.SignedText);
        });
    });

    [Fact]
    public Task Write_failing_in_the_review_decision_transaction() => FaultCell.RunAsync("Database", Faults[2], async cell =>
    {
        await using var database = await FaultHarness.DatabaseAsync();
        var faulty = new FaultyDatabase(database);
        var (draftId, signedText) = await FaultHarness.SignedDraftAsync(database, FaultHarness.DemoContext());

        await using var ui = new FaultHarness(faulty, FaultHarness.ReviewerA, Roles.Reviewer);
        var page = ui.Render<DraftRecord>(p => p.Add(x => x.Id, draftId));
        page.WaitForAssertion(() => page.Find("[data-testid=return]"));
        await page.Find("[data-testid=return]").ClickAsync(new());
        const string comment = "Creatinine trend is from the previous admission.";
        await page.InvokeAsync(() => page.Find("[data-testid=reason-comment]").Input(comment));

        faulty.FailWhen = sql => sql.Contains("\"ReviewDecisions\"", StringComparison.Ordinal) || (sql.Contains("\"Drafts\"", StringComparison.Ordinal) && sql.Contains("UPDATE", StringComparison.Ordinal));
        await page.Find("[data-testid=reason-submit]").ClickAsync(new());

        var shown = page.Find("[data-testid=decision-message]").TextContent.Trim();
        var afterFailure = await FaultHarness.LoadAsync(database, draftId);
        cell.Message(() => shown, () =>
        {
            Assert.Equal(1, faulty.Failures);
            Assert.Contains("could not be saved", shown, StringComparison.Ordinal);
            Assert.Contains("nothing was changed", shown, StringComparison.Ordinal);
        });
        cell.State("rolled back as a whole: still Signed, no decision row, no review.returned audit event", () =>
        {
            Assert.Equal(DraftStatus.Signed, afterFailure.Status);
            Assert.Null(afterFailure.Review);
            using var db = database.CreateDbContext();
            Assert.False(db.AuditEvents.Any(e => e.DraftId == draftId && e.Action == AuditActions.DraftReturned));
        });
        cell.Kept("the reviewer's comment stays in the open form; the clinician's sign-off intact; submitting again stores it", () =>
        {
            Assert.Equal((signedText, DraftStatus.Signed), (afterFailure.SignedText, afterFailure.Status));
            Assert.Equal(comment, page.Find("[data-testid=reason-comment]").GetAttribute("value") ?? page.Find("[data-testid=reason-comment]").TextContent);
            page.InvokeAsync(() => page.Find("[data-testid=reason-submit]").Click()).GetAwaiter().GetResult();
            page.WaitForAssertion(() => Assert.Equal("Returned", page.Find("[data-testid=record-status]").TextContent.Trim()));
            Assert.Equal(comment, FaultHarness.LoadAsync(database, draftId).GetAwaiter().GetResult().Review!.Comment);
        });
    });

    [Fact]
    public Task App_killed_while_streaming() => FaultCell.RunAsync("Database", Faults[3], async cell =>
    {
        await using var database = await FaultHarness.DatabaseAsync();
        var context = FaultHarness.DemoContext();
        var (earlierId, earlierSigned) = await FaultHarness.SignedDraftAsync(database, context);

        // The "process": a clinician's panel streaming from a model that stops mid-answer and never returns
        // (a killed process runs no more code: no final status, no Stopped, nothing).
        var model = new FrozenMidStreamModel(OfflineDrafter.Chunks(new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero)
            .ComposeDraft(context, CitationIndex.Build(context))).Take(40).ToList());
        var before = new FaultHarness(database, FaultHarness.Clinician, Roles.Clinician, model);
        var panel = before.Render<DraftPanel>(p => p.Add(x => x.Context, context));
        panel.WaitForAssertion(() => panel.Find("[data-testid=generate-summary]"));
        _ = panel.Find("[data-testid=generate-summary]").ClickAsync(new()); // never completes: the process "dies" mid-stream
        await model.Frozen.Task.WaitAsync(Patience.Long, Ct);
        var streaming = await FaultHarness.LoadAsync(database, (await LatestAsync(database)).Id);
        Assert.Equal(DraftStatus.Generating, streaming.Status);
        Assert.NotEmpty(streaming.GeneratedText); // an increment was persisted before the "kill"

        // The restart: the same recovery the app runs (at start and every few seconds on every instance), once the
        // killed process's lease on the draft has run out; then the clinician opens the patient again.
        var lease = new WorkLeaseOptions().Duration;
        await using (var db = database.CreateDbContext())
        {
            Assert.Equal(0, await InterruptedDrafts.MarkAsync(db, new AuditLog(database, TimeProvider.System), NullLogger.Instance, DateTimeOffset.UtcNow, lease, Ct));
            Assert.Equal(1, await InterruptedDrafts.MarkAsync(db, new AuditLog(database, TimeProvider.System), NullLogger.Instance, DateTimeOffset.UtcNow + lease + TimeSpan.FromSeconds(1), lease, Ct));
        }
        await using var after = new FaultHarness(database, FaultHarness.Clinician, Roles.Clinician);
        var reopened = after.Render<DraftPanel>(p => p.Add(x => x.Context, context));
        reopened.WaitForAssertion(() => Assert.Equal("Interrupted", reopened.Find("[data-testid=draft-status]").TextContent.Trim()));

        var shown = reopened.Find("[data-testid=draft-message]").TextContent.Trim();
        var interrupted = await FaultHarness.LoadAsync(database, streaming.Id);
        cell.Message(() => shown, () =>
        {
            Assert.Contains("the application instance drafting it stopped", shown, StringComparison.Ordinal);
            Assert.Equal("Try again", reopened.Find("[data-testid=generate-summary]").TextContent.Trim());
        });
        cell.State("draft Interrupted with its message; drafts.interrupted audited", () =>
        {
            Assert.Equal(DraftStatus.Interrupted, interrupted.Status);
            using var db = database.CreateDbContext();
            Assert.Equal(1, db.AuditEvents.Count(e => e.Action == AuditActions.DraftsInterrupted));
        });
        cell.Kept("text persisted before the kill shown; earlier sign-off unchanged; a new draft completes", () =>
        {
            Assert.Equal(streaming.GeneratedText, interrupted.GeneratedText);
            Assert.Contains("Summary", reopened.Find("[data-testid=draft-text]").TextContent, StringComparison.Ordinal);
            var earlier = FaultHarness.LoadAsync(database, earlierId).GetAwaiter().GetResult();
            Assert.Equal((DraftStatus.Signed, earlierSigned), (earlier.Status, earlier.SignedText));
            reopened.InvokeAsync(() => reopened.Find("[data-testid=generate-summary]").Click()).GetAwaiter().GetResult();
            reopened.WaitForAssertion(() => Assert.Equal("Draft", reopened.Find("[data-testid=draft-status]").TextContent.Trim()), Patience.Long);
        });
    });

    private static async Task<Draft> LatestAsync(IDbContextFactory<AppDbContext> database)
    {
        await using var db = await database.CreateDbContextAsync(Ct);
        return await db.Drafts.AsNoTracking().OrderByDescending(d => d.CreatedAt).FirstAsync(Ct);
    }

    /// <summary>Streams its chunks slowly enough for the generator to persist an increment, then hangs for ever,
    /// ignoring cancellation (as a killed process would).</summary>
    private sealed class FrozenMidStreamModel(IReadOnlyList<string> chunks) : IDraftModel
    {
        public TaskCompletionSource Frozen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public string DisplayName => "Frozen test model";
        public string ModelId => "frozen-test";
        public bool IsAi => false;

        public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            foreach (var chunk in chunks)
            {
                yield return chunk;
                await Task.Delay(30, CancellationToken.None);
            }
            Frozen.TrySetResult();
            await new TaskCompletionSource().Task; // never completes
        }
    }
}

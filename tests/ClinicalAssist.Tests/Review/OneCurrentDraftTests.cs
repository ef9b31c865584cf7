using ClinicalAssist.Data;
using ClinicalAssist.Tests.Faults;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Tests.Review;

/// <summary>
/// One current draft per patient and clinician (issue 27, docs/adr/0025), at service level through the product's
/// own generator, workflow and queue (composed by TestHost): a completed generation supersedes the clinician's older
/// unsigned drafts; a stale tab cannot sign the older one (refused and audited at the moment of signing); the review
/// queue never holds two signed summaries of one patient and episode; another clinician's draft is decided only after
/// an audited take-over.
/// </summary>
public sealed class OneCurrentDraftTests : IAsyncLifetime
{
    private static readonly Actor Casey = FaultHarness.Clinician;          // u-clin
    private static readonly Actor Robin = new("u1", "Dr Robin Second");     // another clinician
    private static readonly Actor Reviewer = FaultHarness.ReviewerA;

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;
    private TestHost _host = null!;
    private PatientContext _patient = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await FaultHarness.DatabaseAsync();
        _host = TestHost.Create(_db, new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero), time: _clock);
        _patient = FaultHarness.DemoContext();
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    private DraftWorkflow Workflow => _host.Get<DraftWorkflow>();

    private async Task<Guid> GenerateAsync(Actor clinician)
    {
        _clock.Advance(TimeSpan.FromMinutes(5));
        return await _host.Get<DraftGenerator>().GenerateAsync(_patient, "Demo", clinician, _ => Task.CompletedTask, Ct);
    }

    private async Task<Draft> LoadAsync(Guid id)
    {
        await using var db = _db.CreateDbContext();
        return await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == id, Ct);
    }

    private async Task<DecisionResult> SignAsync(Guid id, Actor clinician)
    {
        var draft = await LoadAsync(id);
        return await Workflow.SignAsync(id, draft.GeneratedText, attested: true, clinician, Ct);
    }

    private async Task<List<AuditEvent>> AuditAsync(Guid draftId)
    {
        await using var db = _db.CreateDbContext();
        return await db.AuditEvents.AsNoTracking().Where(a => a.DraftId == draftId).OrderBy(a => a.Id).ToListAsync(Ct);
    }

    [Fact]
    public async Task Generating_again_supersedes_the_clinicians_older_unsigned_draft_and_nobody_elses()
    {
        var robins = await GenerateAsync(Robin);
        var first = await GenerateAsync(Casey);
        var second = await GenerateAsync(Casey);

        var older = await LoadAsync(first);
        var current = await LoadAsync(second);
        Assert.Equal(DraftStatus.Superseded, older.Status);
        Assert.Equal(second, older.SupersededById);
        Assert.Equal(DraftStatus.Draft, current.Status);
        Assert.Equal(DraftStatus.Draft, (await LoadAsync(robins)).Status); // another clinician's draft is theirs to keep
        var superseded = Assert.Single(await AuditAsync(first), a => a.Action == AuditActions.DraftSuperseded);
        Assert.Contains($"by={second}", superseded.Details, StringComparison.Ordinal);

        await using var db = _db.CreateDbContext();
        Assert.Equal($"Superseded by the draft of {current.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC", await DraftSupersession.DescribeAsync(db, older, Ct));
    }

    [Fact]
    public async Task A_stale_tab_cannot_sign_the_superseded_draft_and_the_refusal_is_audited()
    {
        var stale = await GenerateAsync(Casey);
        var staleText = (await LoadAsync(stale)).GeneratedText;   // what the stale tab holds
        var current = await GenerateAsync(Casey);

        var result = await Workflow.SignAsync(stale, staleText, attested: true, Casey, Ct);

        Assert.False(result.Succeeded);
        var createdAt = (await LoadAsync(current)).CreatedAt;
        Assert.Equal($"Superseded by the draft of {createdAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, so it cannot be signed. Nothing was changed; open the current draft.", result.Message);
        var after = await LoadAsync(stale);
        Assert.Equal((DraftStatus.Superseded, null, null), (after.Status, after.SignedText, after.ClinicianDecisionById));
        var refused = Assert.Single(await AuditAsync(stale), a => a.Action == AuditActions.DecisionRefused);
        Assert.Equal("refused", refused.Outcome);
        Assert.DoesNotContain(await AuditAsync(stale), a => a.Action == AuditActions.DraftSigned);

        Assert.True((await SignAsync(current, Casey)).Succeeded); // the current one signs as usual
    }

    [Fact]
    public async Task The_queue_holds_one_signed_summary_per_patient_and_episode()
    {
        var first = await GenerateAsync(Casey);
        Assert.True((await SignAsync(first, Casey)).Succeeded);
        var second = await GenerateAsync(Casey);
        Assert.Equal(DraftStatus.Signed, (await LoadAsync(first)).Status); // a signed draft is not touched by generating
        Assert.True((await SignAsync(second, Casey)).Succeeded);

        var page = await _host.Get<ReviewQueueQuery>().GetPageAsync(new ReviewQueueFilter(), null, 50, Ct);
        var row = Assert.Single(page.Rows, r => r.PatientId == _patient.Patient.Id);
        Assert.Equal(second, row.Id);
        var older = await LoadAsync(first);
        Assert.Equal((DraftStatus.Superseded, (Guid?)second), (older.Status, older.SupersededById));
        Assert.Contains(await AuditAsync(first), a => a.Action == AuditActions.DraftSuperseded && a.Details!.Contains("reason=signed", StringComparison.Ordinal));

        // A reviewer's stale queue page cannot decide the superseded one.
        var approve = await Workflow.ReviewAsync(first, approve: true, null, null, Reviewer, Ct);
        Assert.False(approve.Succeeded);
        Assert.StartsWith("Superseded by the draft of", approve.Message, StringComparison.Ordinal);
        Assert.True((await Workflow.ReviewAsync(second, approve: true, null, null, Reviewer, Ct)).Succeeded);
    }

    [Fact]
    public async Task An_older_draft_cannot_be_signed_over_a_newer_signed_summary_of_the_episode()
    {
        var caseys = await GenerateAsync(Casey);
        var robins = await GenerateAsync(Robin);
        Assert.True((await SignAsync(robins, Robin)).Succeeded);

        var result = await SignAsync(caseys, Casey);

        Assert.False(result.Succeeded);
        Assert.Contains("A newer summary of this patient", result.Message, StringComparison.Ordinal);
        Assert.Contains("signed by Dr Robin Second", result.Message, StringComparison.Ordinal);
        Assert.Equal(DraftStatus.Draft, (await LoadAsync(caseys)).Status);
        Assert.Equal(DraftStatus.Signed, (await LoadAsync(robins)).Status);
        Assert.Contains(await AuditAsync(caseys), a => a.Action == AuditActions.DecisionRefused && a.Outcome == "refused");
    }

    [Fact]
    public async Task Another_clinicians_draft_is_decided_only_after_an_audited_take_over()
    {
        var caseys = await GenerateAsync(Casey);
        var text = (await LoadAsync(caseys)).GeneratedText;

        var sign = await Workflow.SignAsync(caseys, text, attested: true, Robin, Ct);
        var reject = await Workflow.RejectAsync(caseys, DecisionReasons.All[0].Code, null, Robin, Ct);
        Assert.False(sign.Succeeded);
        Assert.False(reject.Succeeded);
        Assert.Equal("This draft is Dr Casey Clinician's. To edit, sign or reject it, take it over first (\"Take over\" on the draft; recorded in the audit trail). Nothing was changed.", sign.Message);
        Assert.Equal(DraftStatus.Draft, (await LoadAsync(caseys)).Status);
        Assert.Equal(2, (await AuditAsync(caseys)).Count(a => a.Action == AuditActions.DecisionRefused && a.UserId == Robin.Id));

        var takeOver = await Workflow.TakeOverAsync(caseys, Robin, Ct);

        Assert.True(takeOver.Succeeded, takeOver.Message);
        Assert.Equal("You took this draft over from Dr Casey Clinician. You can now edit, sign or reject it.", takeOver.Message);
        var taken = await LoadAsync(caseys);
        Assert.Equal((Robin.Id, Robin.Name, (DateTimeOffset?)_clock.GetUtcNow()), (taken.TakenOverById, taken.TakenOverByName, taken.TakenOverAt));
        var audited = Assert.Single(await AuditAsync(caseys), a => a.Action == AuditActions.DraftTakenOver);
        Assert.Equal((Robin.Id, "from=u-clin"), (audited.UserId, audited.Details));

        // Now it is Robin's: the one who started it must take it back to decide on it.
        Assert.False((await Workflow.SignAsync(caseys, text, attested: true, Casey, Ct)).Succeeded);
        Assert.True((await Workflow.SignAsync(caseys, text, attested: true, Robin, Ct)).Succeeded);
        Assert.Equal(Robin.Id, (await LoadAsync(caseys)).ClinicianDecisionById);
    }

    [Fact]
    public async Task A_take_over_supersedes_the_takers_own_unsigned_draft_and_a_superseded_draft_cannot_be_taken()
    {
        var robins = await GenerateAsync(Robin);
        var caseys = await GenerateAsync(Casey);

        Assert.True((await Workflow.TakeOverAsync(caseys, Robin, Ct)).Succeeded);
        Assert.Equal((DraftStatus.Superseded, (Guid?)caseys), ((await LoadAsync(robins)).Status, (await LoadAsync(robins)).SupersededById));

        var again = await Workflow.TakeOverAsync(robins, Casey, Ct);
        Assert.False(again.Succeeded);
        Assert.StartsWith("Superseded by the draft of", again.Message, StringComparison.Ordinal);
        Assert.EndsWith("so it cannot be taken over. Nothing was changed; open the current draft.", again.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rounds_drafts_follow_the_same_rule()
    {
        // Rounds' worker drafts through the same generator, for the clinician who started the batch.
        var before = await GenerateAsync(Casey);
        await using (var db = _db.CreateDbContext())
        {
            // The record changed since that draft (rounds would otherwise keep it as unchanged).
            await db.Drafts.Where(d => d.Id == before).ExecuteUpdateAsync(s => s.SetProperty(d => d.ContextHash, "changed"), Ct);
        }
        var rounds = Rounds.Harness.Create(_db, FixedRecordSource.DemoLike(), new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero));
        var started = await rounds.Batches.StartAsync(Casey, [_patient.Patient.Id], Ct);
        Assert.True(started.Succeeded, started.Message);
        await rounds.Runner.RunPendingAsync(Ct);

        await using var read = _db.CreateDbContext();
        var prepared = await read.RoundsBatchItems.AsNoTracking().Where(i => i.BatchId == started.BatchId).Select(i => i.DraftId).SingleAsync(Ct);
        Assert.NotNull(prepared);
        Assert.NotEqual(before, prepared);
        Assert.Equal(DraftStatus.Draft, (await LoadAsync(prepared.Value)).Status);
        var older = await LoadAsync(before);
        Assert.Equal((DraftStatus.Superseded, prepared), (older.Status, older.SupersededById));
    }
}

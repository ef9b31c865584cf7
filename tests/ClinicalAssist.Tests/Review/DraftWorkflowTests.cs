using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClinicalAssist.Tests.Review;

public sealed class DraftWorkflowTests : IAsyncLifetime
{
    private static readonly Actor Clinician = new("u-clin", "Dr Clinician");
    private static readonly Actor Reviewer = new("u-rev", "Dr Reviewer");
    private static readonly Actor Reviewer2 = new("u-rev2", "Dr Second Reviewer");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestDatabase _db = null!;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private DraftWorkflow _workflow = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _workflow = new DraftWorkflow(_db, new AuditLog(_db, _clock), _clock, NullLogger<DraftWorkflow>.Instance);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<Guid> AddDraftAsync(DraftStatus status = DraftStatus.Draft, string createdBy = "u-clin")
    {
        await using var db = _db.CreateDbContext();
        var draft = new Draft
        {
            Id = Guid.NewGuid(), PatientId = "p1", PatientLabel = "Test Patient", RecordSource = "Demo",
            DrafterName = "Offline", ModelId = "offline-rules-v1", TemplateId = "clinical-summary", TemplateVersion = 1,
            Status = status, GeneratedText = "Hyperkalaemia, potassium 6.8 mmol/L [L1].", CreatedById = createdBy,
            CreatedByName = "Dr Clinician", CreatedAt = _clock.GetUtcNow(),
        };
        db.Drafts.Add(draft);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return draft.Id;
    }

    private async Task<Draft> LoadAsync(Guid id)
    {
        await using var db = _db.CreateDbContext();
        return await db.Drafts.Include(d => d.Review).AsNoTracking().SingleAsync(d => d.Id == id, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Sign_requires_attestation_and_records_who_when_and_edit_distance()
    {
        var id = await AddDraftAsync();

        var refused = await _workflow.SignAsync(id, "text [L1]", attested: false, Clinician, Ct);
        Assert.False(refused.Succeeded);
        Assert.Equal(DraftStatus.Draft, (await LoadAsync(id)).Status);

        var signed = await _workflow.SignAsync(id, "Hyperkalaemia, potassium 6.8 mmol/L, treated [L1].", attested: true, Clinician, Ct);
        Assert.True(signed.Succeeded, signed.Message);

        var draft = await LoadAsync(id);
        Assert.Equal(DraftStatus.Signed, draft.Status);
        Assert.Equal("u-clin", draft.ClinicianDecisionById);
        Assert.Equal(_clock.GetUtcNow(), draft.ClinicianDecisionAt);
        Assert.True(draft.Attested);
        Assert.InRange(draft.EditDistance!.Value, 0.01, 0.5);
        Assert.Equal("Hyperkalaemia, potassium 6.8 mmol/L [L1].", draft.GeneratedText); // both texts kept
    }

    [Fact]
    public async Task Double_sign_produces_exactly_one_sign_off()
    {
        var id = await AddDraftAsync();
        var results = await Task.WhenAll(
            _workflow.SignAsync(id, "A [L1].", true, Clinician, Ct),
            _workflow.SignAsync(id, "B [L1].", true, Clinician, Ct));

        Assert.Single(results, r => r.Succeeded);
        await using var db = _db.CreateDbContext();
        Assert.Equal(1, await db.AuditEvents.CountAsync(a => a.DraftId == id && a.Action == AuditActions.DraftSigned, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Reject_requires_a_reason_or_comment_and_a_known_code()
    {
        var id = await AddDraftAsync();
        Assert.False((await _workflow.RejectAsync(id, null, "  ", Clinician, Ct)).Succeeded);
        Assert.False((await _workflow.RejectAsync(id, "made-up", null, Clinician, Ct)).Succeeded);

        var result = await _workflow.RejectAsync(id, "unsupported-claim", "Potassium value is from another admission.", Clinician, Ct);
        Assert.True(result.Succeeded, result.Message);
        var draft = await LoadAsync(id);
        Assert.Equal(DraftStatus.Rejected, draft.Status);
        Assert.Equal("unsupported-claim", draft.RejectionReason);
    }

    [Fact]
    public async Task Illegal_transitions_are_refused_with_a_message()
    {
        var id = await AddDraftAsync(DraftStatus.Generating);
        var result = await _workflow.SignAsync(id, "x [L1]", true, Clinician, Ct);
        Assert.False(result.Succeeded);
        Assert.Contains("cannot be signed", result.Message);

        var draftId = await AddDraftAsync();
        var review = await _workflow.ReviewAsync(draftId, approve: true, null, null, Reviewer, Ct);
        Assert.False(review.Succeeded); // not signed yet
    }

    [Fact]
    public async Task Reviewer_cannot_review_a_draft_they_generated_or_signed()
    {
        var id = await AddDraftAsync(createdBy: Reviewer.Id);
        // Another clinician's draft is signed only after an explicit take-over (ADR 0025).
        Assert.True((await _workflow.TakeOverAsync(id, Clinician, Ct)).Succeeded);
        Assert.True((await _workflow.SignAsync(id, "x [L1]", true, Clinician, Ct)).Succeeded);

        var result = await _workflow.ReviewAsync(id, approve: true, null, null, Reviewer, Ct);
        Assert.False(result.Succeeded);
        Assert.Contains("another reviewer", result.Message);
        Assert.Equal(DraftStatus.Signed, (await LoadAsync(id)).Status);
    }

    [Fact]
    public async Task Two_reviewers_at_once_store_exactly_one_decision_and_the_other_sees_who_decided()
    {
        var id = await AddDraftAsync();
        await _workflow.SignAsync(id, "x [L1]", true, Clinician, Ct);

        var results = await Task.WhenAll(
            _workflow.ReviewAsync(id, approve: true, null, null, Reviewer, Ct),
            _workflow.ReviewAsync(id, approve: false, "omission", "Missing AKI.", Reviewer2, Ct));

        Assert.Single(results, r => r.Succeeded);
        var loser = results.Single(r => !r.Succeeded);
        Assert.Matches("Already (approved|returned) by Dr (Second )?Reviewer", loser.Message);

        await using var db = _db.CreateDbContext();
        Assert.Equal(1, await db.ReviewDecisions.CountAsync(r => r.DraftId == id, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Return_requires_a_reason_and_is_audited()
    {
        var id = await AddDraftAsync();
        await _workflow.SignAsync(id, "x [L1]", true, Clinician, Ct);
        Assert.False((await _workflow.ReviewAsync(id, approve: false, null, null, Reviewer, Ct)).Succeeded);

        var result = await _workflow.ReviewAsync(id, approve: false, "wrong-data", null, Reviewer, Ct);
        Assert.True(result.Succeeded, result.Message);

        var draft = await LoadAsync(id);
        Assert.Equal(DraftStatus.Returned, draft.Status);
        Assert.False(draft.Review!.Approved);
        Assert.Equal("wrong-data", draft.Review.ReasonCode);
        await using var db = _db.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(a => a.DraftId == id && a.Action == AuditActions.DraftReturned && a.UserId == Reviewer.Id, TestContext.Current.CancellationToken));
    }

    /// <summary>The whole life of a draft, written out independently of the implementation's table.</summary>
    private static readonly HashSet<(DraftStatus, DraftStatus)> Legal =
    [
        (DraftStatus.Generating, DraftStatus.Draft), (DraftStatus.Generating, DraftStatus.Failed),
        (DraftStatus.Generating, DraftStatus.Stopped), (DraftStatus.Generating, DraftStatus.Interrupted),
        (DraftStatus.Draft, DraftStatus.Signed), (DraftStatus.Draft, DraftStatus.Rejected),
        (DraftStatus.Signed, DraftStatus.Approved), (DraftStatus.Signed, DraftStatus.Returned),
        // One current draft per patient and clinician (ADR 0025): an unsigned draft, one completing while a newer one
        // of the same clinician already completed, and a signed one waiting for review can be superseded — nothing else.
        (DraftStatus.Generating, DraftStatus.Superseded), (DraftStatus.Draft, DraftStatus.Superseded), (DraftStatus.Signed, DraftStatus.Superseded),
    ];

    public static TheoryData<DraftStatus, DraftStatus> AllPairs()
    {
        var data = new TheoryData<DraftStatus, DraftStatus>();
        foreach (var from in Enum.GetValues<DraftStatus>())
            foreach (var to in Enum.GetValues<DraftStatus>())
                data.Add(from, to);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Every_transition_is_legal_or_refused_exactly_as_designed(DraftStatus from, DraftStatus to) =>
        Assert.Equal(Legal.Contains((from, to)), DraftWorkflow.CanTransition(from, to));

    [Theory]
    [InlineData(DraftStatus.Generating)]
    [InlineData(DraftStatus.Failed)]
    [InlineData(DraftStatus.Stopped)]
    [InlineData(DraftStatus.Interrupted)]
    [InlineData(DraftStatus.Rejected)]
    [InlineData(DraftStatus.Approved)]
    [InlineData(DraftStatus.Returned)]
    public async Task Decisions_on_a_draft_that_is_not_awaiting_them_are_refused_and_audited(DraftStatus status)
    {
        var id = await AddDraftAsync(status);

        var sign = await _workflow.SignAsync(id, "x [L1]", true, Clinician, Ct);
        var reject = await _workflow.RejectAsync(id, "omission", null, Clinician, Ct);
        var approve = await _workflow.ReviewAsync(id, approve: true, null, null, Reviewer, Ct);

        Assert.False(sign.Succeeded);
        Assert.False(reject.Succeeded);
        Assert.False(approve.Succeeded);
        Assert.Equal(status, (await LoadAsync(id)).Status);
        await using var db = _db.CreateDbContext();
        Assert.Equal(3, await db.AuditEvents.CountAsync(a => a.DraftId == id && a.Action == AuditActions.DecisionRefused, Ct));
    }

    [Fact]
    public async Task Audit_events_cannot_be_changed_or_deleted_through_the_product()
    {
        var id = await AddDraftAsync();
        await _workflow.SignAsync(id, "x [L1]", true, Clinician, Ct);

        await using var db = _db.CreateDbContext();
        var audit = await db.AuditEvents.FirstAsync(Ct);
        audit.Details = "tampered";
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(Ct));
        db.ChangeTracker.Clear();

        db.AuditEvents.Remove(await db.AuditEvents.FirstAsync(Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(Ct));
    }

    [Theory]
    [InlineData("a b c", "a b c", 0.0)]
    [InlineData("a b c d", "a x c d", 0.25)]
    [InlineData("a b", "c d", 1.0)]
    [InlineData("", "a b", 1.0)]
    public void Word_edit_distance_is_normalised(string a, string b, double expected) =>
        Assert.Equal(expected, WordEditDistance.Normalized(a, b), 3);
}

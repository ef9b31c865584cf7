using System.Globalization;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// One current draft per patient and clinician (docs/adr/0025-one-current-draft.md): the rules that mark a draft
/// <see cref="DraftStatus.Superseded"/>, applied to tracked entities of the caller's context so that they are saved —
/// version-checked — in the same transaction as the change that caused them:
/// <list type="bullet">
/// <item>a generation that completes as a draft supersedes that clinician's other unsigned drafts of the patient
/// (or is itself superseded when a newer one of theirs already completed);</item>
/// <item>a take-over makes the taken draft the new owner's current one;</item>
/// <item>a sign-off supersedes the other summaries of the same patient and episode still waiting for review
/// (in <c>DraftWorkflow</c>).</item>
/// </list>
/// A draft that failed, stopped or was interrupted supersedes nothing: the clinician's draft is not changed.
/// </summary>
public static class DraftSupersession
{
    /// <summary>What a superseded draft says (the time is the newer draft's creation time).</summary>
    public static string Describe(DateTimeOffset newerCreatedAt) =>
        string.Create(CultureInfo.InvariantCulture, $"Superseded by the draft of {newerCreatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC");

    /// <summary>The line shown for <paramref name="draft"/> when it is superseded; null otherwise.</summary>
    public static async Task<string?> DescribeAsync(AppDbContext db, Draft draft, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(draft);
        if (draft.Status != DraftStatus.Superseded) return null;
        var newer = draft.SupersededById is { } id
            ? await db.Drafts.AsNoTracking().Where(d => d.Id == id).Select(d => (DateTimeOffset?)d.CreatedAt).SingleOrDefaultAsync(ct)
            : null;
        return newer is { } at ? Describe(at) : "Superseded by a newer draft";
    }

    /// <summary>Marks <paramref name="owner"/>'s other unsigned drafts of the patient superseded by
    /// <paramref name="current"/> (tracked in <paramref name="db"/>, audited there); returns how many.</summary>
    public static async Task<int> SupersedeOtherUnsignedAsync(AppDbContext db, AuditLog audit, Draft current, Actor owner, string reason,
        DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(owner);
        var ownerId = owner.Id;
        var others = await db.Drafts
            .Where(d => d.PatientId == current.PatientId && d.Id != current.Id && d.Status == DraftStatus.Draft
                        && (d.TakenOverById ?? d.CreatedById) == ownerId)
            .ToListAsync(ct);
        foreach (var other in others) Mark(db, audit, other, current.Id, owner, reason, now);
        return others.Count;
    }

    /// <summary>The newest unsigned draft of the patient by <paramref name="ownerId"/> created after
    /// <paramref name="draft"/>, when one exists (the generation that finished last must not replace a newer one).</summary>
    public static Task<Guid?> NewerUnsignedAsync(AppDbContext db, Draft draft, string ownerId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(draft);
        return db.Drafts.AsNoTracking()
            .Where(d => d.PatientId == draft.PatientId && d.Id != draft.Id && d.Status == DraftStatus.Draft
                        && (d.TakenOverById ?? d.CreatedById) == ownerId && d.CreatedAt > draft.CreatedAt)
            .OrderByDescending(d => d.CreatedAt)
            .Select(d => (Guid?)d.Id)
            .FirstOrDefaultAsync(ct);
    }

    /// <summary>Marks one tracked draft superseded by <paramref name="newerId"/> and adds its audit event.</summary>
    public static void Mark(AppDbContext db, AuditLog audit, Draft draft, Guid newerId, Actor actor, string reason, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(draft);
        var from = draft.Status;
        draft.Status = DraftStatus.Superseded;
        draft.SupersededById = newerId;
        draft.SupersededAt = now;
        db.AuditEvents.Add(audit.Create(AuditActions.DraftSuperseded, actor, draft.PatientId, draft.Id,
            details: $"by={newerId} from={from} reason={reason}"));
    }
}

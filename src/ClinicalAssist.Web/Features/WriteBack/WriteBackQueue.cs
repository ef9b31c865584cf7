using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.WriteBack;

/// <summary>
/// Decides whether a signed draft is written back (write-back enabled and the record came from the FHIR server), and
/// lets an admin retry or cancel a write. The queue row is added by <c>DraftWorkflow</c> in the sign-off's own
/// transaction, so a signature never exists without its pending write, and a failing server cannot lose a signature.
/// </summary>
public sealed class WriteBackQueue(
    IDbContextFactory<AppDbContext> dbFactory,
    IOptions<WriteBackOptions> options,
    IOptions<FhirOptions> fhir,
    AuditLog audit,
    TimeProvider time)
{
    /// <summary>Writes are made only for drafts built from the configured FHIR server.</summary>
    public bool IsEnabled => options.Value.Enabled && fhir.Value.Source == FhirSourceKind.Server;

    /// <summary>The pending write for a draft that is being signed, or null when write-back does not apply.</summary>
    public FhirWrite? CreateFor(Draft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (!IsEnabled || draft.RecordSource != "Server") return null;
        var now = time.GetUtcNow();
        return new FhirWrite { DraftId = draft.Id, Status = FhirWriteStatus.Pending, CreatedAt = now, NextAttemptAt = now };
    }

    /// <summary>Admin: put a failed (or cancelled) write back in the queue, due now.</summary>
    public Task<string?> RetryAsync(Guid writeId, Actor admin, CancellationToken ct) =>
        ChangeAsync(writeId, admin, WriteBackAuditActions.Retried, ct, write =>
        {
            if (write.Status is not (FhirWriteStatus.Failed or FhirWriteStatus.Cancelled))
                return "Only a failed or cancelled write can be retried.";
            write.Status = FhirWriteStatus.Pending;
            write.Attempts = 0;
            write.NextAttemptAt = time.GetUtcNow();
            return null;
        });

    /// <summary>Admin: stop trying to write (the sign-off is unaffected).</summary>
    public Task<string?> CancelAsync(Guid writeId, Actor admin, CancellationToken ct) =>
        ChangeAsync(writeId, admin, WriteBackAuditActions.Cancelled, ct, write =>
        {
            if (write.Status is not (FhirWriteStatus.Pending or FhirWriteStatus.Failed))
                return "Only a pending or failed write can be cancelled.";
            write.Status = FhirWriteStatus.Cancelled;
            write.NextAttemptAt = null;
            return null;
        });

    private async Task<string?> ChangeAsync(Guid writeId, Actor admin, string action, CancellationToken ct, Func<FhirWrite, string?> change)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var write = await db.FhirWrites.Include(w => w.Draft).SingleOrDefaultAsync(w => w.Id == writeId, ct);
        if (write is null) return "That write no longer exists.";
        if (await AuthorityCheck.RefusalAsync(db, audit, admin, Roles.Admin, action, time.GetUtcNow(), ct, write.Draft?.PatientId, write.DraftId) is { } notAllowed)
        {
            return notAllowed;
        }
        if (change(write) is { } refusal) return refusal;
        write.ChangedByName = admin.Name;
        db.AuditEvents.Add(audit.Create(action, admin, write.Draft?.PatientId, write.DraftId, details: $"status={write.Status}"));
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return "The write changed while you were looking at it (the queue may have just processed it). Reload and try again.";
        }
    }
}

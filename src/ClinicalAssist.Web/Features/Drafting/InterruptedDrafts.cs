using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Drafts left "Generating" by an instance that is gone (killed, crashed, restarted): no lease on them runs past now,
/// and they are older than one lease (a draft is stored together with its lease, so a younger one is always owned).
/// They are marked Interrupted with their persisted text kept, so the clinician sees why and can generate again. A
/// draft another live instance is streaming is never touched. Runs at start-up and then every third of a lease
/// (<see cref="InterruptedDraftSweeper"/>) on every instance.
/// </summary>
public static class InterruptedDrafts
{
    public const string Message = "Generation was interrupted: the application instance drafting it stopped. What was produced so far is kept. Generate again.";

    public static async Task<int> MarkAsync(AppDbContext db, AuditLog audit, ILogger logger, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        var owned = (await db.WorkLeases.Where(l => l.Kind == WorkKinds.Draft && l.ExpiresAt > now).Select(l => l.WorkId).ToListAsync(cancellationToken))
            .Select(id => Guid.TryParse(id, out var g) ? g : Guid.Empty).ToList();
        var bornBefore = now - lease;
        var retryable = DraftRetry.IsRetryable(DraftStatus.Interrupted, failureRetryable: false);
        var interrupted = await db.Drafts
            .Where(d => d.Status == DraftStatus.Generating && d.CreatedAt < bornBefore && !owned.Contains(d.Id))
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, DraftStatus.Interrupted)
                .SetProperty(d => d.FailureMessage, Message)
                .SetProperty(d => d.FailureRetryable, retryable)
                .SetProperty(d => d.Version, Guid.NewGuid()), cancellationToken);
        if (interrupted > 0)
        {
            logger.LogWarning("Marked {Count} draft(s) left generating by a stopped instance as Interrupted.", interrupted);
            await audit.WriteAsync(AuditActions.DraftsInterrupted, actor: null, details: $"{interrupted} draft(s)", cancellationToken: cancellationToken);
        }
        // Leases of gone owners on drafts that are no longer generating are dropped with them.
        await db.WorkLeases.Where(l => l.Kind == WorkKinds.Draft && l.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        return interrupted;
    }
}

using System.Collections.Concurrent;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>"Prepare drafts": starts a persisted batch for the clinician's list, cancels it, retries one patient.
/// The <see cref="RoundsWorker"/> runs it.</summary>
public sealed class RoundsBatches(IDbContextFactory<AppDbContext> dbFactory, AuditLog audit, TimeProvider time, RoundsSignals signals)
{
    public async Task<RoundsResult> StartAsync(Actor clinician, IReadOnlyList<string> patientIds, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clinician);
        ArgumentNullException.ThrowIfNull(patientIds);
        if (patientIds.Count == 0) return new(false, "The rounds list is empty: add patients first.");
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var running = await db.RoundsBatches.AsNoTracking()
            .Where(b => b.ClinicianId == clinician.Id && b.Status == RoundsBatchStatus.Running).Select(b => (Guid?)b.Id).FirstOrDefaultAsync(cancellationToken);
        if (running is not null) return new(false, "Drafts are already being prepared for your list. Cancel that run first, or wait for it to finish.", running);

        var batch = new RoundsBatch
        {
            Id = Guid.NewGuid(),
            ClinicianId = clinician.Id,
            ClinicianName = clinician.Name,
            Status = RoundsBatchStatus.Running,
            CreatedAt = time.GetUtcNow(),
        };
        batch.Items.AddRange(patientIds.Distinct(StringComparer.Ordinal).Select((id, i) => new RoundsBatchItem
        {
            Id = Guid.NewGuid(),
            Position = i,
            PatientId = id,
            Status = RoundsItemStatus.Pending,
        }));
        db.RoundsBatches.Add(batch);
        db.AuditEvents.Add(audit.Create(AuditActions.RoundsBatchStarted, clinician, details: $"batch={batch.Id} patients={batch.Items.Count}"));
        await db.SaveChangesAsync(cancellationToken);
        signals.Wake();
        signals.Publish(batch.Id);
        return new(true, $"Preparing drafts for {batch.Items.Count} patients in the background.", batch.Id);
    }

    /// <summary>Stops the batch: waiting patients are not started, running drafts are stopped (their text is kept).
    /// Drafts already prepared stay.</summary>
    public async Task<RoundsResult> CancelAsync(Guid batchId, Actor clinician, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clinician);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var batch = await db.RoundsBatches.Include(b => b.Items).SingleOrDefaultAsync(b => b.Id == batchId && b.ClinicianId == clinician.Id, cancellationToken);
        if (batch is null) return new(false, "This run was not found.");
        if (batch.Status != RoundsBatchStatus.Running) return new(false, "This run has already finished.", batchId);
        batch.Status = RoundsBatchStatus.Cancelled;
        batch.FinishedAt = time.GetUtcNow();
        var waiting = 0;
        foreach (var item in batch.Items.Where(i => i.Status == RoundsItemStatus.Pending))
        {
            item.Status = RoundsItemStatus.Cancelled;
            item.Message = "Cancelled before it started.";
            item.FinishedAt = batch.FinishedAt;
            waiting++;
        }
        var done = batch.Items.Count(i => i.Status is RoundsItemStatus.Ready or RoundsItemStatus.Unchanged);
        db.AuditEvents.Add(audit.Create(AuditActions.RoundsBatchCancelled, clinician,
            details: $"batch={batch.Id} prepared={done} not_started={waiting} running={batch.Items.Count(i => i.Status == RoundsItemStatus.Running)}"));
        await db.SaveChangesAsync(cancellationToken);
        signals.CancelBatch(batchId);
        signals.Publish(batchId);
        return new(true, $"Cancelled. {done} prepared draft{(done == 1 ? " is" : "s are")} kept.", batchId);
    }

    /// <summary>Puts a failed or cancelled patient back in the queue (the batch runs again if it had finished).</summary>
    public async Task<RoundsResult> RetryAsync(Guid itemId, Actor clinician, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clinician);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var item = await db.RoundsBatchItems.Include(i => i.Batch).SingleOrDefaultAsync(i => i.Id == itemId && i.Batch!.ClinicianId == clinician.Id, cancellationToken);
        if (item is null) return new(false, "This patient's preparation was not found.");
        if (item.Status is not (RoundsItemStatus.Failed or RoundsItemStatus.Cancelled)) return new(false, "Only a failed or cancelled patient can be tried again.", item.BatchId);
        var running = await db.RoundsBatches.AnyAsync(b => b.ClinicianId == clinician.Id && b.Status == RoundsBatchStatus.Running && b.Id != item.BatchId, cancellationToken);
        if (running) return new(false, "Another run is preparing drafts for your list: wait for it or cancel it first.", item.BatchId);
        item.Status = RoundsItemStatus.Pending;
        item.Message = null;
        item.FinishedAt = null;
        if (item.Batch!.Status != RoundsBatchStatus.Running)
        {
            // A cancelled batch's token stays cancelled; the retried patient is claimed only after the save below and
            // must get a fresh one.
            signals.Forget(item.BatchId);
        }

        item.Batch.Status = RoundsBatchStatus.Running;
        item.Batch.FinishedAt = null;
        db.AuditEvents.Add(audit.Create(AuditActions.RoundsItemRetried, clinician, item.PatientId, details: $"batch={item.BatchId}"));
        await db.SaveChangesAsync(cancellationToken);
        signals.Wake();
        signals.Publish(item.BatchId);
        return new(true, "Trying again in the background.", item.BatchId);
    }

    /// <summary>The clinician's latest batch with its items, or null.</summary>
    public async Task<RoundsBatch?> LatestAsync(string clinicianId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.RoundsBatches.AsNoTracking().Include(b => b.Items)
            .Where(b => b.ClinicianId == clinicianId).OrderByDescending(b => b.CreatedAt).FirstOrDefaultAsync(cancellationToken);
    }
}

using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>
/// Runs the patients of running batches: at most <see cref="RoundsOptions.MaxConcurrency"/> model calls at a time
/// (<see cref="RoundsCallSlots"/>), with <see cref="RoundsOptions.PrepareAhead"/> more patients prepared meanwhile.
/// Per patient: build the context, skip it when the record's fingerprint equals the one the latest usable draft was
/// made from, else generate — one draft, one model call: 429s and transient failures are waited out and retried by
/// the model pipeline alone (<see cref="ModelRetryChatClient"/>, paced per deployment), and a draft that still fails
/// is recorded with its message and partial text for the clinician to retry. Each item's outcome is stored as soon
/// as it is known, so a restart or a cancel loses nothing already prepared.
/// </summary>
public sealed class RoundsBatchRunner(
    IDbContextFactory<AppDbContext> dbFactory,
    IServiceScopeFactory scopes,
    IPatientRecordSource records,
    DraftGenerator generator,
    RoundsCallSlots calls,
    RoundsSignals signals,
    AuditLog audit,
    WorkLeases leases,
    IOptions<RoundsOptions> options,
    TimeProvider time,
    ILogger<RoundsBatchRunner> logger)
{
    /// <summary>Items left Running by an instance that is gone (its lease on the item ran out, or it holds none: a
    /// restart of a single instance) go back to Pending; an item another live instance is working on is left alone.
    /// At start every running batch is audited as resumed; later sweeps audit only batches they recovered items of.</summary>
    public async Task ResumeAsync(CancellationToken cancellationToken, bool atStart = true)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var live = leases.Live(db, WorkKinds.RoundsItem);
        var batches = await db.RoundsBatches.Include(b => b.Items).Where(b => b.Status == RoundsBatchStatus.Running).ToListAsync(cancellationToken);
        var liveItems = (await live.ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
        var resumed = 0;
        foreach (var batch in batches)
        {
            var interrupted = 0;
            foreach (var item in batch.Items.Where(i => i.Status == RoundsItemStatus.Running && !liveItems.Contains(i.Id.ToString())))
            {
                item.Status = RoundsItemStatus.Pending;
                interrupted++;
            }
            if (!atStart && interrupted == 0) continue;
            resumed++;
            db.AuditEvents.Add(audit.Create(AuditActions.RoundsBatchResumed, new Actor(batch.ClinicianId, batch.ClinicianName),
                details: $"batch={batch.Id} pending={batch.Items.Count(i => i.Status == RoundsItemStatus.Pending)} interrupted={interrupted}"));
        }
        await db.SaveChangesAsync(cancellationToken);
        if (resumed > 0)
        {
            logger.LogInformation("Resumed {Count} rounds batch(es) whose items were left by a stopped instance.", resumed);
            foreach (var batch in batches) signals.Publish(batch.Id);
            signals.Wake();
        }
    }

    /// <summary>Runs every pending item of every running batch, then returns (when nothing is left).</summary>
    public async Task RunPendingAsync(CancellationToken stoppingToken)
    {
        // Model calls are limited by the call slots (MaxConcurrency); a few more patients are prepared meanwhile.
        using var slots = new SemaphoreSlim(options.Value.MaxConcurrency + options.Value.PrepareAhead);
        var inFlight = new List<Task>();
        while (true)
        {
            stoppingToken.ThrowIfCancellationRequested();
            var next = await ClaimNextAsync(stoppingToken);
            if (next is null)
            {
                inFlight.RemoveAll(t => t.IsCompleted);
                if (inFlight.Count == 0)
                {
                    signals.ForgetCancelled(); // nothing runs: no patient can still ask for a cancelled batch's token
                    break;
                }
                // Wait for a running item (a retry or a new batch may add work meanwhile).
                await Task.WhenAny(Task.WhenAny(inFlight), signals.WaitForWorkAsync(TimeSpan.FromSeconds(options.Value.PollSeconds), stoppingToken));
                continue;
            }
            try
            {
                await slots.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping before the claimed patient started: let go of it at once for whichever instance resumes it.
                await leases.ReleaseAsync(WorkKinds.RoundsItem, next.ItemId.ToString(), CancellationToken.None);
                throw;
            }
            var item = next;
            inFlight.Add(Task.Run(async () =>
            {
                try { await ProcessAsync(item, stoppingToken); }
                finally { slots.Release(); }
            }, CancellationToken.None));
            inFlight.RemoveAll(t => t.IsCompleted);
            // Claim the next one only when a slot is free, so other batches (and retries) are seen in order.
            await slots.WaitAsync(stoppingToken);
            slots.Release();
        }
        await CompleteFinishedBatchesAsync(stoppingToken);
    }

    private sealed record Claimed(Guid ItemId, Guid BatchId, string PatientId, string ClinicianId, string ClinicianName, int Attempt);

    /// <summary>An unexpected error before the patient's draft was started (e.g. a database timeout under CPU pressure
    /// while the context is read) is tried again automatically up to this many attempts in all. Once the draft is
    /// started the model may have been called, so nothing is tried again automatically: the clinician retries.</summary>
    internal const int MaxAutomaticAttempts = 2;

    /// <summary>Takes the next pending item (oldest batch, bed order) and marks it Running, atomically.</summary>
    private async Task<Claimed?> ClaimNextAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var heldElsewhere = new List<Guid>();
        while (true)
        {
            var candidate = await db.RoundsBatchItems.AsNoTracking()
                .Where(i => i.Status == RoundsItemStatus.Pending && i.Batch!.Status == RoundsBatchStatus.Running && !heldElsewhere.Contains(i.Id))
                .OrderBy(i => i.Batch!.CreatedAt).ThenBy(i => i.Position)
                .Select(i => new Claimed(i.Id, i.BatchId, i.PatientId, i.Batch!.ClinicianId, i.Batch.ClinicianName, i.Attempts + 1))
                .FirstOrDefaultAsync(cancellationToken);
            if (candidate is null) return null;
            // The lease first, then the status: an item is never Running without a live owner, so another instance's
            // recovery cannot put it back to Pending while this one works on it.
            var key = candidate.ItemId.ToString();
            if (!await leases.TryClaimAsync(WorkKinds.RoundsItem, key, cancellationToken))
            {
                heldElsewhere.Add(candidate.ItemId); // another instance is taking it right now
                continue;
            }
            var now = time.GetUtcNow();
            int claimed;
            try
            {
                claimed = await db.RoundsBatchItems.Where(i => i.Id == candidate.ItemId && i.Status == RoundsItemStatus.Pending)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, RoundsItemStatus.Running)
                        .SetProperty(i => i.Attempts, i => i.Attempts + 1)
                        .SetProperty(i => i.StartedAt, now), cancellationToken);
            }
            catch
            {
                await leases.ReleaseAsync(WorkKinds.RoundsItem, key, CancellationToken.None);
                throw;
            }
            if (claimed == 1)
            {
                signals.Publish(candidate.BatchId);
                return candidate;
            }
            await leases.ReleaseAsync(WorkKinds.RoundsItem, key, cancellationToken);
        }
    }

    private async Task ProcessAsync(Claimed item, CancellationToken stoppingToken)
    {
        try
        {
            await ProcessItemAsync(item, stoppingToken);
        }
        finally
        {
            // After the outcome is stored (or the item was left Running by a shutdown, for whichever instance resumes it).
            await leases.ReleaseAsync(WorkKinds.RoundsItem, item.ItemId.ToString(), CancellationToken.None);
        }
    }

    private async Task ProcessItemAsync(Claimed item, CancellationToken stoppingToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, signals.TokenFor(item.BatchId));
        var token = linked.Token;
        RoundsItemStatus status;
        string? message = null;
        Guid? draftId = null;
        string? fingerprint = null;
        try
        {
            PatientContext? context;
            await using (var scope = scopes.CreateAsyncScope())
            {
                context = await scope.ServiceProvider.GetRequiredService<PatientContextBuilder>().BuildAsync(item.PatientId, token);
            }
            if (context is null)
            {
                status = RoundsItemStatus.Failed;
                message = $"The patient was not found in {records.Name}. Remove them from the list or try again later.";
            }
            else
            {
                fingerprint = RecordFingerprint.Of(context);
                var unchanged = await UnchangedDraftAsync(item.PatientId, fingerprint, context, token);
                if (unchanged is not null)
                {
                    status = RoundsItemStatus.Unchanged;
                    draftId = unchanged;
                    await audit.WriteAsync(AuditActions.RoundsItemUnchanged, new Actor(item.ClinicianId, item.ClinicianName), item.PatientId, unchanged,
                        details: $"batch={item.BatchId}", cancellationToken: CancellationToken.None);
                }
                else
                {
                    draftId = await generator.GenerateAsync(context, records.Name, new Actor(item.ClinicianId, item.ClinicianName),
                        progress =>
                        {
                            draftId = progress.DraftId; // stored before the model is called: from here on, no automatic attempt
                            return Task.CompletedTask;
                        }, calls.Hold, token);
                    await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
                    var draft = await db.Drafts.AsNoTracking().Where(d => d.Id == draftId).Select(d => new { d.Status, d.FailureMessage }).SingleAsync(CancellationToken.None);
                    (status, message) = draft.Status switch
                    {
                        DraftStatus.Draft => (RoundsItemStatus.Ready, (string?)null),
                        DraftStatus.Stopped when stoppingToken.IsCancellationRequested => (RoundsItemStatus.Running, "Interrupted by a restart; resumed on start."),
                        DraftStatus.Stopped => (RoundsItemStatus.Cancelled, "Stopped by the cancel. The text produced so far is kept."),
                        _ => (RoundsItemStatus.Failed, draft.FailureMessage ?? "The draft could not be completed. Try again."),
                    };
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return; // left Running: picked up again on the next start
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            status = RoundsItemStatus.Cancelled;
            message = "Cancelled.";
        }
        catch (AuthorityRefusedException refused)
        {
            // The clinician who started the batch lost the Clinician role or was disabled or locked: not retried.
            status = RoundsItemStatus.Failed;
            message = refused.Message;
        }
        catch (Exception ex) when (ex is not FhirSourceException && draftId is null && item.Attempt < MaxAutomaticAttempts)
        {
            status = RoundsItemStatus.Pending;
            message = "Retrying after an unexpected error.";
            logger.LogWarning(ex, "Rounds item {ItemId} of batch {BatchId} failed (attempt {Attempt}); it is retried.", item.ItemId, item.BatchId, item.Attempt);
        }
        catch (Exception ex)
        {
            status = RoundsItemStatus.Failed;
            message = ex is FhirSourceException source
                ? $"The record could not be loaded from {records.Name}: {source.Message} Try again."
                : draftId is null ? "The draft could not be prepared because of an unexpected error. Try again."
                : "The draft could not be completed because of an unexpected error. What was produced so far is kept; try again.";
            logger.LogWarning(ex, "Rounds item {ItemId} of batch {BatchId} failed.", item.ItemId, item.BatchId);
        }

        if (status == RoundsItemStatus.Running) return;
        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            var now = time.GetUtcNow();
            await db.RoundsBatchItems.Where(i => i.Id == item.ItemId)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, status)
                    .SetProperty(i => i.Message, message)
                    .SetProperty(i => i.DraftId, draftId)
                    .SetProperty(i => i.RecordFingerprint, fingerprint)
                    .SetProperty(i => i.FinishedAt, now), CancellationToken.None);
        }
        signals.Publish(item.BatchId);
    }

    /// <summary>The latest draft when it is usable (ready, signed or approved) and was made from a record with the
    /// same fingerprint; null when the record changed (or cannot be told) and a new draft is needed.</summary>
    private async Task<Guid?> UnchangedDraftAsync(string patientId, string fingerprint, PatientContext context, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var latest = await db.Drafts.AsNoTracking().Where(d => d.PatientId == patientId).OrderByDescending(d => d.CreatedAt)
            .Select(d => new { d.Id, d.Status, d.ContextHash }).FirstOrDefaultAsync(cancellationToken);
        if (latest is null || latest.Status is not (DraftStatus.Draft or DraftStatus.Signed or DraftStatus.Approved)) return null;
        var sameAsBatch = await db.RoundsBatchItems.AsNoTracking()
            .AnyAsync(i => i.DraftId == latest.Id && i.RecordFingerprint == fingerprint, cancellationToken);
        if (sameAsBatch) return latest.Id;
        // A draft made in the chart: its context hash lists every resource's version; it only tells when all have one.
        var resources = DraftGenerator.SortedResources(context);
        return context.Resources.Values.All(r => r.Meta?.VersionId is not null) && DraftGenerator.ContextHash(resources) == latest.ContextHash
            ? latest.Id : null;
    }

    private async Task CompleteFinishedBatchesAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var finished = await db.RoundsBatches.Include(b => b.Items)
            .Where(b => b.Status == RoundsBatchStatus.Running && !b.Items.Any(i => i.Status == RoundsItemStatus.Pending || i.Status == RoundsItemStatus.Running))
            .ToListAsync(cancellationToken);
        foreach (var batch in finished)
        {
            batch.Status = RoundsBatchStatus.Completed;
            batch.FinishedAt = time.GetUtcNow();
            db.AuditEvents.Add(audit.Create(AuditActions.RoundsBatchCompleted, new Actor(batch.ClinicianId, batch.ClinicianName),
                details: $"batch={batch.Id} ready={batch.Items.Count(i => i.Status == RoundsItemStatus.Ready)} unchanged={batch.Items.Count(i => i.Status == RoundsItemStatus.Unchanged)} failed={batch.Items.Count(i => i.Status == RoundsItemStatus.Failed)} cancelled={batch.Items.Count(i => i.Status == RoundsItemStatus.Cancelled)}"));
        }
        await db.SaveChangesAsync(cancellationToken);
        foreach (var batch in finished)
        {
            signals.Forget(batch.Id);
            signals.Publish(batch.Id);
        }
    }
}

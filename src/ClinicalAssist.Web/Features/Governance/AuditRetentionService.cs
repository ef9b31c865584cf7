using System.Globalization;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>Once a day, deletes audit events older than the configured retention (off by default). The only code
/// that removes audit rows. It removes a prefix of the hash chain (every row up to the last sequence before the first
/// row it keeps), only after verifying that prefix, and first writes a checkpoint — an <c>audit.purged</c> event
/// recording the last removed sequence and its chain hash — in the same transaction, so the verifier accepts the
/// chain's new start and the database's delete trigger lets exactly those rows go (docs/adr/0024).</summary>
public sealed class AuditRetentionService(
    IDbContextFactory<AppDbContext> dbFactory, Microsoft.Extensions.Options.IOptionsMonitor<AuditOptions> options,
    AuditLog audit, AuditChainVerifier verifier, TimeProvider time, ILogger<AuditRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromDays(1), time);
        do
        {
            try
            {
                await PurgeAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Audit retention purge failed; it will run again tomorrow.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        if (options.CurrentValue.RetentionDays is not { } days) return 0;
        var cutoff = time.GetUtcNow().AddDays(-days);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // A prefix of the chain: up to the row before the first one kept (timestamps are not strictly in sequence order).
        var firstKept = await db.AuditEvents.Where(a => a.At >= cutoff).MinAsync(a => (long?)a.Sequence, ct);
        var through = firstKept - 1 ?? await db.AuditEvents.MaxAsync(a => (long?)a.Sequence, ct);
        if (through is not { } last || !await db.AuditEvents.AnyAsync(a => a.Sequence <= last, ct)) return 0;

        var prefix = await verifier.VerifyThroughAsync(last, ct);
        if (prefix.Break is { } broken)
        {
            logger.LogError("Audit retention did not remove anything: the audit chain is broken at sequence {Sequence} ({Kind}). Investigate (Admin › Audit trail › Verify chain) before rows are removed.",
                broken.Sequence, broken.Kind);
            return 0;
        }

        var removed = await db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var count = await db.AuditEvents.CountAsync(a => a.Sequence <= last, token);
            var checkpoint = audit.Create(AuditActions.AuditPurged, actor: null,
                details: string.Create(CultureInfo.InvariantCulture, $"removed={count} older_than_days={days} through_sequence={last} through_hash={prefix.HeadHash}"));
            checkpoint.PurgedThrough = last;
            db.AuditEvents.Add(checkpoint);
            await db.SaveChangesAsync(token);
            await DeleteThroughAsync(db, last, token);
            await transaction.CommitAsync(token);
            return count;
        }, ct);
        logger.LogInformation("Audit retention removed {Count} event(s) older than {Days} days (through sequence {Sequence}).", removed, days, last);
        return removed;
    }

    /// <summary>The purge's delete (the trigger allows it once the checkpoint is stored).</summary>
    internal static Task<int> DeleteThroughAsync(AppDbContext db, long throughSequence, CancellationToken ct) =>
        db.AuditEvents.Where(a => a.Sequence <= throughSequence).ExecuteDeleteAsync(ct);
}

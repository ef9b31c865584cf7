using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// Ownership of background work across app instances on one database: an instance claims a piece of work atomically
/// (one row per kind and id: the insert, or the take-over of an expired row, succeeds for one instance only), renews
/// every lease it holds while it runs (<see cref="WorkLeaseKeeper"/>), and releases it when done. Recovery after a crash
/// takes over only work whose lease ran out — never what another live instance is doing. Used by every worker.
/// </summary>
public sealed class WorkLeases(IDbContextFactory<AppDbContext> dbFactory, InstanceIdentity instance, IOptions<WorkLeaseOptions> options, TimeProvider time)
{
    public string Owner => instance.Id;

    /// <summary>Claims the work for this instance; false when another instance holds a lease that has not run out.
    /// Claiming work this instance already holds renews it.</summary>
    public async Task<bool> TryClaimAsync(string kind, string workId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var until = now + options.Value.Duration;
        var me = instance.Id;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // One statement decides between instances racing for an expired lease: the row matches for the first writer
        // only (the second sees the first's owner and expiry).
        var taken = await db.WorkLeases
            .Where(l => l.Kind == kind && l.WorkId == workId && (l.Owner == me || l.ExpiresAt <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.Owner, me).SetProperty(l => l.ExpiresAt, until), cancellationToken);
        if (taken == 1) return true;
        db.WorkLeases.Add(new WorkLease { Kind = kind, WorkId = workId, Owner = me, ExpiresAt = until });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            return false; // the row exists and is another instance's live lease
        }
    }

    /// <summary>A new lease of this instance on work that is being created, to be saved in the same transaction as the
    /// work's row, so the work never exists without its owner.</summary>
    public WorkLease NewLease(string kind, string workId) =>
        new() { Kind = kind, WorkId = workId, Owner = instance.Id, ExpiresAt = time.GetUtcNow() + options.Value.Duration };

    /// <summary>Ends this instance's claim (no-op when it holds none).</summary>
    public async Task ReleaseAsync(string kind, string workId, CancellationToken cancellationToken = default)
    {
        var me = instance.Id;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.WorkLeases.Where(l => l.Kind == kind && l.WorkId == workId && l.Owner == me).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Renews every lease this instance holds; returns how many. The keeper calls it every third of the lease.</summary>
    public async Task<int> RenewOwnAsync(CancellationToken cancellationToken = default)
    {
        var until = time.GetUtcNow() + options.Value.Duration;
        var me = instance.Id;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.WorkLeases.Where(l => l.Owner == me).ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, until), cancellationToken);
    }

    /// <summary>Releases everything this instance holds (a clean shutdown: the others need not wait for expiry).</summary>
    public async Task<int> ReleaseOwnAsync(CancellationToken cancellationToken = default)
    {
        var me = instance.Id;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.WorkLeases.Where(l => l.Owner == me).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>The ids of work of this kind that some instance holds a lease on that has not run out.</summary>
    public IQueryable<string> Live(AppDbContext db, string kind)
    {
        var now = time.GetUtcNow();
        return db.WorkLeases.Where(l => l.Kind == kind && l.ExpiresAt > now).Select(l => l.WorkId);
    }
}

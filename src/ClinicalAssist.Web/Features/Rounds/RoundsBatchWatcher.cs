using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>
/// What other instances did to rounds batches, read from the database every <see cref="RoundsOptions.WatchSeconds"/>:
/// a batch cancelled on another instance stops this instance's running patients of it (their text is kept), and a
/// batch whose items changed elsewhere is published, so a page open here shows progress made by another instance.
/// In-process changes are signalled at once (<see cref="RoundsSignals"/>); this only adds what a second instance did.
/// </summary>
public sealed class RoundsBatchWatcher(
    IDbContextFactory<AppDbContext> dbFactory,
    RoundsSignals signals,
    IOptions<RoundsOptions> options,
    TimeProvider time,
    ILogger<RoundsBatchWatcher> logger) : BackgroundService
{
    /// <summary>Batches finished this long ago are still watched, so a page sees the last items finish elsewhere.</summary>
    private static readonly TimeSpan RecentlyFinished = TimeSpan.FromMinutes(2);

    // Only the watcher's own loop touches this (one check at a time): the state of each watched batch at the last check.
    private readonly Dictionary<Guid, string> _seen = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.WatchSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await CheckAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    logger.LogWarning(ex, "Rounds batches could not be checked for changes made by other instances; checking again shortly.");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>One look at the running and recently finished batches.</summary>
    public async Task CheckAsync(CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow() - RecentlyFinished;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var batches = await db.RoundsBatches.AsNoTracking()
            .Where(b => b.Status == RoundsBatchStatus.Running || b.FinishedAt >= since)
            .Select(b => new { b.Id, b.Status, Items = b.Items.Select(i => i.Status).ToList() })
            .ToListAsync(cancellationToken);

        var held = signals.RunningHere();
        foreach (var batch in batches)
        {
            if (batch.Status == RoundsBatchStatus.Cancelled && held.Contains(batch.Id))
            {
                signals.CancelBatch(batch.Id);
            }
            var state = $"{(int)batch.Status}:{string.Concat(batch.Items.Order().Select(s => (char)('0' + (int)s)))}";
            if (_seen.TryGetValue(batch.Id, out var before) && before != state)
            {
                signals.Publish(batch.Id);
            }
            _seen[batch.Id] = state;
        }
        var watched = batches.Select(b => b.Id).ToHashSet();
        foreach (var gone in _seen.Keys.Where(id => !watched.Contains(id)).ToList())
        {
            _seen.Remove(gone);
        }
    }
}

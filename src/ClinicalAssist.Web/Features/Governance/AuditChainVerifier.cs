using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>
/// Walks the audit chain in sequence order and reports the first broken link (docs/adr/0024): a missing sequence
/// (deleted), a row whose fields no longer give its hash (edited), a row that does not follow the one before it
/// (moved, inserted, or renumbered), a row after the chain began without a hash, or rows from before the chain that
/// changed since it was anchored. A chain that starts after sequence 1 must start where a retention checkpoint says.
/// </summary>
public sealed partial class AuditChainVerifier(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
{
    private const int PageSize = 5000;

    public Task<AuditChainReport> VerifyAsync(CancellationToken ct) => VerifyThroughAsync(long.MaxValue, ct);

    /// <summary>Verifies from the chain's first row through <paramref name="throughSequence"/>; the report's head
    /// is the chain value there (the retention purge records it in its checkpoint).</summary>
    public async Task<AuditChainReport> VerifyThroughAsync(long throughSequence, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var checkpoints = await db.AuditEvents.AsNoTracking().Where(a => a.PurgedThrough != null)
            .Select(a => new { a.PurgedThrough, a.Details }).ToListAsync(ct);

        string previous = AuditChain.Genesis;
        long? expected = null, first = null;
        long rows = 0, legacyRows = 0, after = long.MinValue;
        var sealedSeen = false;
        AuditChainReport Report(AuditChainBreak? broken) =>
            new(rows, first, expected - 1, expected is null ? null : previous, broken, time.GetElapsedTime(started));

        while (true)
        {
            var page = await db.AuditEvents.AsNoTracking().Where(a => a.Sequence > after && a.Sequence <= throughSequence)
                .OrderBy(a => a.Sequence).Take(PageSize).ToListAsync(ct);
            if (page.Count == 0) break;
            for (var i = 0; i < page.Count; i++)
            {
                var row = page[i];
                if (expected is null)
                {
                    first = row.Sequence;
                    if (checkpoints.FirstOrDefault(c => c.PurgedThrough == row.Sequence - 1) is { } checkpoint
                        && ThroughHash().Match(checkpoint.Details ?? "") is { Success: true } m)
                    {
                        previous = m.Groups[1].Value; // the chain value of the last purged row
                    }
                    else if (row.Sequence != 1 && row.Hash is not null)
                    {
                        return Report(new(row.Sequence, row.Id, AuditChainBreakKind.Deleted,
                            $"the chain starts at sequence {row.Sequence}: sequence(s) 1–{row.Sequence - 1} are missing and no retention checkpoint records removing them."));
                    }
                }
                else if (row.Sequence != expected)
                {
                    return Report(new(row.Sequence, row.Id, AuditChainBreakKind.Deleted, expected == row.Sequence - 1
                        ? $"sequence {expected} before it is missing: that row was deleted."
                        : $"sequences {expected}–{row.Sequence - 1} before it are missing: those rows were deleted."));
                }

                if (row.Hash is null)
                {
                    if (sealedSeen)
                    {
                        return Report(new(row.Sequence, row.Id, AuditChainBreakKind.Unsealed,
                            "the row has no hash although rows before it are chained: its hash was removed or it was inserted without one."));
                    }
                    previous = AuditChain.ComputeHash(row, previous); // a row from before the chain, covered by the anchor
                    legacyRows++;
                }
                else
                {
                    if (row.PreviousHash != previous)
                    {
                        var next = i + 1 < page.Count ? page[i + 1] : null;
                        return Report(new(row.Sequence, row.Id, !sealedSeen && legacyRows > 0 ? AuditChainBreakKind.LegacyChanged : AuditChainBreakKind.Relinked,
                            !sealedSeen && legacyRows > 0
                                ? $"the {legacyRows} row(s) written before the chain began (sequence {first}–{row.Sequence - 1}) are not as they were when this anchor row sealed them: one was changed, deleted or added."
                                : next is not null && next.Hash == row.PreviousHash
                                    ? $"the row was swapped with sequence {next.Sequence}: the rows were reordered."
                                    : $"the row does not follow sequence {row.Sequence - 1}: a row was inserted, moved or deleted and renumbered here, or the row before was changed and given a new hash."));
                    }
                    if (AuditChain.ComputeHash(row, row.PreviousHash) != row.Hash)
                    {
                        return Report(new(row.Sequence, row.Id, AuditChainBreakKind.Edited,
                            "the row's fields no longer match its hash: it was changed after it was written."));
                    }
                    sealedSeen = true;
                    previous = row.Hash;
                }
                expected = row.Sequence + 1;
                rows++;
            }
            after = page[^1].Sequence;
        }
        return Report(null);
    }

    [GeneratedRegex(@"\bthrough_hash=([0-9a-f]{64})\b", RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeoutMilliseconds)]
    private static partial Regex ThroughHash();
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Data;

/// <summary>
/// The audit trail's hash chain (docs/adr/0024): every row carries a sequence number, the previous row's hash and
/// SHA-256 over its own fields and that previous hash. Rows are sealed in <see cref="AppDbContext.SaveChangesAsync(bool, CancellationToken)"/>
/// inside the transaction that inserts them, after taking the chain's lock, so two writers can never fork the chain.
/// </summary>
public static class AuditChain
{
    /// <summary>The "previous hash" of the first row of a chain.</summary>
    public static readonly string Genesis = new('0', 64);

    /// <summary>The row that starts the chain on a database that already held audit rows (written before the chain
    /// existed): its previous hash is the chain over those rows, computed as they stood when it was written.</summary>
    public const string AnchorAction = "audit.chain-anchored";

    /// <summary>The retention checkpoint's action (also the purge's audit event).</summary>
    public const string CheckpointAction = "audit.purged";

    /// <summary>SQL Server: one appender at a time, held until the inserting transaction ends (commit or rollback).</summary>
    public const string SqlServerLock =
        "DECLARE @result int; EXEC @result = sp_getapplock @Resource = N'ClinicalAssist.AuditChain', @LockMode = N'Exclusive', " +
        "@LockOwner = N'Transaction', @LockTimeout = 30000; IF @result < 0 THROW 51010, N'The audit chain lock was not granted within 30 s.', 1;";

    /// <summary>The SQLite and SQL Server triggers that refuse changes to audit rows (declared to EF so that it
    /// writes inserts in a form triggers allow).</summary>
    public const string NoUpdateTrigger = "AuditEvents_NoUpdate";
    public const string NoDeleteTrigger = "AuditEvents_NoDelete";

    /// <summary>Timestamps are hashed and stored to the millisecond (SQLite keeps 0.1 ms).</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) =>
        new(at.UtcTicks - at.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    /// <summary>SHA-256 (lower-case hex) over a length-prefixed serialization of the row's fields and the previous
    /// row's hash. The row's own <see cref="AuditEvent.PreviousHash"/> and <see cref="AuditEvent.Hash"/> are not read.</summary>
    public static string ComputeHash(AuditEvent row, string previousHash)
    {
        var text = new StringBuilder("clinicalassist-audit-v1");
        void Field(string? value)
        {
            if (value is null) text.Append("|-");
            else text.Append('|').Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);
        }
        Field(row.Sequence.ToString(CultureInfo.InvariantCulture));
        Field(row.At.UtcTicks.ToString(CultureInfo.InvariantCulture));
        Field(row.Action);
        Field(row.UserId);
        Field(row.UserName);
        Field(row.PatientId);
        Field(row.DraftId?.ToString("D"));
        Field(row.Outcome);
        Field(row.Details);
        Field(row.PurgedThrough?.ToString(CultureInfo.InvariantCulture));
        Field(previousHash);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Takes the chain's lock (SQL Server: an application lock owned by the current transaction; SQLite:
    /// the current transaction is already the one writer), reads the chain's head and seals the added rows after it.
    /// Rows before the chain existed are first covered by an anchor row.</summary>
    internal static async Task SealAsync(AppDbContext db, CancellationToken ct)
    {
        // A retried save (SQL Server's execution strategy) seals again from the head it reads then.
        var added = db.ChangeTracker.Entries<AuditEvent>().Where(e => e.State == EntityState.Added).Select(e => e.Entity).ToList();
        foreach (var anchor in added.Where(a => a.Action == AnchorAction).ToList())
        {
            db.Entry(anchor).State = EntityState.Detached;
            added.Remove(anchor);
        }

        if (db.Database.CurrentTransaction is not null && db.Database.IsSqlServer())
        {
            await db.Database.ExecuteSqlRawAsync(SqlServerLock, ct);
        }

        var head = await db.AuditEvents.AsNoTracking().OrderByDescending(a => a.Sequence)
            .Select(a => new { a.Sequence, a.Hash }).FirstOrDefaultAsync(ct);
        var sequence = head?.Sequence ?? 0;
        var previous = head?.Hash ?? Genesis;
        if (head is { Hash: null })
        {
            // Rows written before the chain existed: chain them as they stand now, in an anchor row.
            var legacy = 0L;
            previous = Genesis;
            await foreach (var row in db.AuditEvents.AsNoTracking().OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(ct))
            {
                previous = ComputeHash(row, previous);
                legacy++;
            }
            var anchorRow = new AuditEvent
            {
                At = added.Count > 0 ? added[0].At : DateTimeOffset.UtcNow,
                Action = AnchorAction,
                Details = string.Create(CultureInfo.InvariantCulture, $"legacy_rows={legacy} legacy_through_sequence={sequence}"),
            };
            db.AuditEvents.Add(anchorRow);
            added.Insert(0, anchorRow);
        }

        foreach (var row in added)
        {
            row.At = Truncate(row.At);
            row.Sequence = ++sequence;
            row.PreviousHash = previous;
            row.Hash = previous = ComputeHash(row, previous);
        }
    }
}

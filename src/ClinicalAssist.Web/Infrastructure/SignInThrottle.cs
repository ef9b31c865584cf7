using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// Counts failed sign-ins in the database (every app instance sees the same counts) per account and address and per
/// account, and pauses sign-in when a count reaches its limit. It answers the same for an email that has no account
/// as for one that has, so the sign-in page never tells which accounts exist.
/// </summary>
public sealed class SignInThrottle(IDbContextFactory<AppDbContext> dbFactory, IOptions<SignInThrottleOptions> options, TimeProvider time)
{
    private SignInThrottleOptions Options => options.Value;

    /// <summary>True while sign-in for this email from this address is paused.</summary>
    public async Task<bool> IsPausedAsync(string email, IPAddress? address, CancellationToken cancellationToken = default)
    {
        var keys = Keys(email, address).Select(k => k.Key).ToArray();
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SignInThrottle.AnyAsync(t => keys.Contains(t.Key) && t.BlockedUntil != null && t.BlockedUntil > now, cancellationToken);
    }

    /// <summary>Counts a failed sign-in; true when sign-in is now paused for this email from this address.</summary>
    public async Task<bool> RecordFailureAsync(string email, IPAddress? address, CancellationToken cancellationToken = default)
    {
        var paused = false;
        foreach (var (key, limit) in Keys(email, address))
        {
            paused |= await CountAsync(key, limit, cancellationToken);
        }
        return paused;
    }

    /// <summary>A successful sign-in ends the run of failures for the account (from this address and overall).</summary>
    public async Task ResetAsync(string email, IPAddress? address, CancellationToken cancellationToken = default)
    {
        var keys = Keys(email, address).Select(k => k.Key).ToArray();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.SignInThrottle.Where(t => keys.Contains(t.Key)).ExecuteDeleteAsync(cancellationToken);
    }

    private async Task<bool> CountAsync(string key, int limit, CancellationToken cancellationToken)
    {
        // Two failures at once for the same key: the row's version token makes the second writer read again and
        // count on top of the first, so a parallel guesser gets no extra tries.
        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var row = await db.SignInThrottle.SingleOrDefaultAsync(t => t.Key == key, cancellationToken);
            if (row is null)
            {
                row = new SignInThrottleEntry { Key = key, WindowStartedAt = now };
                db.SignInThrottle.Add(row);
                // Forget old counts while here (the table stays as small as the recent failures).
                var stale = now - Options.Window - Options.PauseFor;
                await db.SignInThrottle.Where(t => t.WindowStartedAt < stale && (t.BlockedUntil == null || t.BlockedUntil < now)).ExecuteDeleteAsync(cancellationToken);
            }
            else if (now - row.WindowStartedAt >= Options.Window && !(row.BlockedUntil > now))
            {
                row.Failures = 0;
                row.WindowStartedAt = now;
                row.BlockedUntil = null;
            }
            row.Failures++;
            if (row.Failures >= limit && !(row.BlockedUntil > now))
            {
                row.BlockedUntil = now + Options.PauseFor;
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return row.BlockedUntil > now;
            }
            catch (DbUpdateException) when (attempt < 50)
            {
                // Another writer counted or created this key first: count again on top of theirs.
            }
        }
    }

    /// <summary>The account from this address (IPv4, or the IPv6 /64 a client can rotate within), and the account
    /// from anywhere.</summary>
    private IEnumerable<(string Key, int Limit)> Keys(string email, IPAddress? address)
    {
        var account = email.Trim().ToUpperInvariant();
        yield return (Hash("address|" + account + "|" + Network(address)), Options.FailuresPerAccountAndAddress);
        yield return (Hash("account|" + account), Options.FailuresPerAccount);
    }

    private static string Network(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static string Hash(string value) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(value)));
}

using System.Collections.Concurrent;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// In-process notice that an account's access changed (roles, lock, disable, forced password reset): user
/// administration publishes it after renewing the security stamp, and each live circuit of that user looks at it every
/// few seconds (<see cref="CheckInterval"/>) and re-validates against the database at once, instead of at its next
/// Session:RevalidationInterval. Other app instances are not notified; they fall back to that interval.
/// </summary>
public sealed class AccountChanges
{
    /// <summary>How often a live circuit looks for a change notice (in memory; the database is read only on a notice
    /// or when Session:RevalidationInterval has passed).</summary>
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(3);

    private readonly ConcurrentDictionary<string, long> _versions = new(StringComparer.Ordinal);

    public void Publish(string userId) => _versions.AddOrUpdate(userId, 1, (_, version) => version + 1);

    /// <summary>Increases every time <see cref="Publish"/> is called for the user (0: never).</summary>
    public long VersionOf(string userId) => _versions.TryGetValue(userId, out var version) ? version : 0;
}

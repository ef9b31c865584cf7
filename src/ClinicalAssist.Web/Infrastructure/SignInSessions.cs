using System.Security.Claims;
using System.Security.Cryptography;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// Server-side sign-in sessions. A sign-in starts one and puts its id in the cookie; every HTTP request (the cookie's
/// principal validation) and every live circuit (at its database re-validation) checks that it has not ended. Sign-out
/// ends it, so a copy of the cookie taken before sign-out no longer works, while the same user's other sessions
/// (another device) go on.
/// </summary>
public sealed class SignInSessions(IDbContextFactory<AppDbContext> dbFactory, AccountChanges changes, TimeProvider time)
{
    /// <summary>The claim that carries the session id in the sign-in cookie.</summary>
    public const string ClaimType = Features.Governance.ClinicalAssistClaims.SessionId;

    public static string? IdOf(ClaimsPrincipal principal) => principal.FindFirstValue(ClaimType);

    /// <summary>Starts a session for the user and returns its id (128 random bits).</summary>
    public async Task<string> StartAsync(string userId, CancellationToken cancellationToken = default)
    {
        var session = new SignInSession { Id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), UserId = userId, StartedAt = time.GetUtcNow() };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.SignInSessions.Add(session);
        await db.SaveChangesAsync(cancellationToken);
        return session.Id;
    }

    /// <summary>True when the principal carries a session that belongs to it and has not ended. A principal without a
    /// session id (a cookie issued before sessions existed) is not active: it signs in again once.</summary>
    public async Task<bool> IsActiveAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        if (IdOf(principal) is not { } id || principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return false;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SignInSessions.AnyAsync(s => s.Id == id && s.UserId == userId && s.EndedAt == null, cancellationToken);
    }

    /// <summary>Records that the page of this session was used (its keep-alive); no-op for an ended session.</summary>
    public async Task TouchAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        if (IdOf(principal) is not { } id || principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return;
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.SignInSessions.Where(s => s.Id == id && s.UserId == userId && s.EndedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastActivityAt, now), cancellationToken);
    }

    /// <summary>The last use the session's pages reported, or null when none (or the session has ended).</summary>
    public async Task<DateTimeOffset?> LastActivityAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        if (IdOf(principal) is not { } id || principal.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return null;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.SignInSessions.Where(s => s.Id == id && s.UserId == userId && s.EndedAt == null)
            .Select(s => s.LastActivityAt).SingleOrDefaultAsync(cancellationToken);
    }

    /// <summary>Ends the principal's session (no-op when it has none or it already ended). The user's live circuits
    /// are told to re-validate at once (<see cref="AccountChanges"/>): those of this session close within seconds.</summary>
    public async Task EndAsync(string? id, string reason, CancellationToken cancellationToken = default)
    {
        if (id is null) return;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var session = await db.SignInSessions.SingleOrDefaultAsync(s => s.Id == id && s.EndedAt == null, cancellationToken);
        if (session is null) return;
        session.EndedAt = time.GetUtcNow();
        session.EndReason = reason;
        await db.SaveChangesAsync(cancellationToken);
        changes.Publish(session.UserId);
    }
}

using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>
/// The acting user's authority at the moment of an action: the sign-in session it acts through has not ended, the
/// account exists, is not disabled, is not locked out and holds the role the action needs, read from the database in the context that records the action (a page
/// opened before a role was removed, or the account disabled or locked, keeps no authority). A refusal is audited
/// (<see cref="AuditActions.ActionRefused"/>, outcome "refused", ids and codes only) and comes back as a message in
/// plain words; null means the action may go ahead.
/// </summary>
public static class AuthorityCheck
{
    public static async Task<string?> RefusalAsync(AppDbContext db, AuditLog audit, Actor actor, string role, string attemptedAction,
        DateTimeOffset now, CancellationToken ct, string? patientId = null, Guid? draftId = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(actor);
        var (reason, message) = await ReasonAsync(db, actor, role, now, ct);
        if (reason is null) return null;

        // Only the refusal is saved: the caller has changed nothing in this context yet.
        db.AuditEvents.Add(audit.Create(AuditActions.ActionRefused, actor, patientId, draftId, "refused",
            $"attempted={attemptedAction} required_role={role} reason={reason}"));
        await db.SaveChangesAsync(ct);
        return message;
    }

    private static async Task<(string? Reason, string Message)> ReasonAsync(AppDbContext db, Actor actor, string role, DateTimeOffset now, CancellationToken ct)
    {
        var userId = actor.Id;
        // The sign-in session the action comes through has ended (signed out in another tab or window).
        if (actor.SessionId is { } session && !await db.SignInSessions.AnyAsync(s => s.Id == session && s.UserId == userId && s.EndedAt == null, ct))
        {
            return ("session-ended", "You have signed out of this session (in another tab or window): sign in again to continue; nothing was changed.");
        }
        var account = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.IsDisabled, u.LockoutEnd }).SingleOrDefaultAsync(ct);
        if (account is null) return ("account-missing", "Your account no longer exists; nothing was changed.");
        if (account.IsDisabled) return ("account-disabled", "Your account has been disabled; nothing was changed.");
        if (account.LockoutEnd is { } end && end > now) return ("account-locked", "Your account is locked; nothing was changed.");
        var holdsRole = await (from ur in db.UserRoles
                               join r in db.Roles on ur.RoleId equals r.Id
                               where ur.UserId == userId && r.Name == role
                               select ur.RoleId).AnyAsync(ct);
        return holdsRole ? (null, "") : ("role-missing", $"Your account no longer has the {role} role; nothing was changed.");
    }
}

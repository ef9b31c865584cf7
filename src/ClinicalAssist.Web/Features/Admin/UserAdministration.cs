using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Admin;

/// <summary>
/// Users and roles: create, assign roles (several allowed), lock/unlock, force a password reset, disable/enable.
/// Every change is audited, and every change that affects access renews the user's security stamp, so open sessions
/// lose access at the next revalidation. The product never runs without an active admin: the last active admin cannot
/// lose the Admin role, be disabled or locked, and no admin can disable or lock their own account.
/// </summary>
public sealed class UserAdministration(IServiceScopeFactory scopes, AuditLog audit, AccountChanges changes, TimeProvider time, ILogger<UserAdministration> logger)
{
    /// <summary>User claim that sends the user to "change password" until the password differs from the one set by the
    /// admin (the value is a hash of the password hash at that time, so the flag clears itself after the change).</summary>
    public const string PasswordChangeRequiredClaim = "clinicalassist:password_change_required";

    public async Task<IReadOnlyList<UserSummary>> ListAsync(string? search, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            query = query.Where(u => u.DisplayName.Contains(term) || (u.Email != null && u.Email.Contains(term)));
        }
        var users = await query.OrderBy(u => u.DisplayName).ThenBy(u => u.Email).Take(500).ToListAsync(ct);
        var ids = users.Select(u => u.Id).ToList();
        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ids.Contains(ur.UserId)
                           select new { ur.UserId, r.Name }).ToListAsync(ct);
        var flagged = await db.UserClaims.Where(c => ids.Contains(c.UserId) && c.ClaimType == PasswordChangeRequiredClaim)
            .Select(c => c.UserId).ToListAsync(ct);
        var now = time.GetUtcNow();
        return users.Select(u => new UserSummary(
            u.Id, u.Email ?? "", u.DisplayName,
            roles.Where(r => r.UserId == u.Id).Select(r => r.Name ?? "").Order(StringComparer.Ordinal).ToList(),
            u.IsDisabled, u.LockoutEnd is { } end && end > now, flagged.Contains(u.Id))).ToList();
    }

    public async Task<UserAdminResult> CreateAsync(NewUser input, Actor actor, CancellationToken ct)
    {
        var email = input.Email?.Trim() ?? "";
        var name = input.DisplayName?.Trim() ?? "";
        if (email.Length == 0 || !email.Contains('@', StringComparison.Ordinal)) return UserAdminResult.Fail("Enter a valid email address.");
        if (name.Length == 0) return UserAdminResult.Fail("Enter the name shown on drafts and decisions.");
        if (input.Roles.Count == 0) return UserAdminResult.Fail("Choose at least one role.");
        if (input.Roles.FirstOrDefault(r => !Roles.All.Contains(r)) is { } unknown) return UserAdminResult.Fail($"Unknown role {unknown}.");

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await AuthorityRefusalAsync(scope, actor, AuditActions.UserCreated, ct) is { } refused) return refused;
        if (await users.FindByEmailAsync(email) is not null) return UserAdminResult.Fail("An account with this email already exists.");

        var generated = string.IsNullOrEmpty(input.InitialPassword);
        var password = generated ? DatabaseInitializer.GeneratePassword() : input.InitialPassword!;
        var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded) return UserAdminResult.Fail(Describe(created));

        var roles = await users.AddToRolesAsync(user, input.Roles.Distinct());
        if (!roles.Succeeded)
        {
            await users.DeleteAsync(user);
            return UserAdminResult.Fail(Describe(roles));
        }
        if (generated || input.RequirePasswordChange)
        {
            await RequirePasswordChangeAsync(users, user);
        }

        await audit.WriteAsync(AuditActions.UserCreated, actor, details: Details(user,
            $"roles={string.Join('|', input.Roles.Order(StringComparer.Ordinal))} password={(generated ? "generated" : "entered")} change_required={generated || input.RequirePasswordChange}"), cancellationToken: ct);
        logger.LogInformation("User {UserId} created by {ActorId}.", user.Id, actor.Id);
        return new UserAdminResult(true, $"Account {email} created.", generated ? password : null);
    }

    public async Task<UserAdminResult> SetRolesAsync(string userId, IReadOnlyCollection<string> roles, Actor actor, CancellationToken ct)
    {
        if (roles.FirstOrDefault(r => !Roles.All.Contains(r)) is { } unknown) return UserAdminResult.Fail($"Unknown role {unknown}.");
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await AuthorityRefusalAsync(scope, actor, AuditActions.UserRolesChanged, ct) is { } refused) return refused;
        if (await users.FindByIdAsync(userId) is not { } user) return UserAdminResult.Fail("This account no longer exists.");

        var current = await users.GetRolesAsync(user);
        var wanted = roles.Distinct().ToList();
        if (current.Contains(Roles.Admin) && !wanted.Contains(Roles.Admin) && await IsLastActiveAdminAsync(users, user))
        {
            return await RefuseAsync(actor, user, "roles", "This is the last active admin: the Admin role cannot be removed. Give another account the Admin role first.", ct);
        }

        var remove = current.Except(wanted).ToList();
        var add = wanted.Except(current).ToList();
        if (remove.Count == 0 && add.Count == 0) return new UserAdminResult(true, "No change.");
        if (remove.Count > 0 && await users.RemoveFromRolesAsync(user, remove) is { Succeeded: false } r) return UserAdminResult.Fail(Describe(r));
        if (add.Count > 0 && await users.AddToRolesAsync(user, add) is { Succeeded: false } a) return UserAdminResult.Fail(Describe(a));
        await users.UpdateSecurityStampAsync(user);
        changes.Publish(user.Id);

        await audit.WriteAsync(AuditActions.UserRolesChanged, actor, details: Details(user,
            $"added={string.Join('|', add.Order(StringComparer.Ordinal))} removed={string.Join('|', remove.Order(StringComparer.Ordinal))}"), cancellationToken: ct);
        return new UserAdminResult(true, $"Roles of {user.Email} saved.");
    }

    public async Task<UserAdminResult> LockAsync(string userId, Actor actor, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await AuthorityRefusalAsync(scope, actor, AuditActions.UserLocked, ct) is { } refused) return refused;
        if (await users.FindByIdAsync(userId) is not { } user) return UserAdminResult.Fail("This account no longer exists.");
        if (user.Id == actor.Id) return await RefuseAsync(actor, user, "lock", "You cannot lock your own account.", ct);
        if (await IsLastActiveAdminAsync(users, user)) return await RefuseAsync(actor, user, "lock", "This is the last active admin and cannot be locked.", ct);

        await users.SetLockoutEnabledAsync(user, true);
        await users.SetLockoutEndDateAsync(user, DateTimeOffset.MaxValue);
        await users.UpdateSecurityStampAsync(user);
        changes.Publish(user.Id);
        await audit.WriteAsync(AuditActions.UserLocked, actor, details: Details(user, null), cancellationToken: ct);
        return new UserAdminResult(true, $"{user.Email} is locked until an admin unlocks it.");
    }

    public async Task<UserAdminResult> UnlockAsync(string userId, Actor actor, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await AuthorityRefusalAsync(scope, actor, AuditActions.UserUnlocked, ct) is { } refused) return refused;
        if (await users.FindByIdAsync(userId) is not { } user) return UserAdminResult.Fail("This account no longer exists.");
        await users.SetLockoutEndDateAsync(user, null);
        await users.ResetAccessFailedCountAsync(user);
        await audit.WriteAsync(AuditActions.UserUnlocked, actor, details: Details(user, null), cancellationToken: ct);
        return new UserAdminResult(true, $"{user.Email} is unlocked.");
    }

    public async Task<UserAdminResult> SetDisabledAsync(string userId, bool disabled, Actor actor, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await AuthorityRefusalAsync(scope, actor, (disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled), ct) is { } refused) return refused;
        if (await users.FindByIdAsync(userId) is not { } user) return UserAdminResult.Fail("This account no longer exists.");
        if (disabled && user.Id == actor.Id) return await RefuseAsync(actor, user, "disable", "You cannot disable your own account.", ct);
        if (disabled && await IsLastActiveAdminAsync(users, user)) return await RefuseAsync(actor, user, "disable", "This is the last active admin and cannot be disabled.", ct);
        if (user.IsDisabled == disabled) return new UserAdminResult(true, "No change.");

        user.IsDisabled = disabled;
        var result = await users.UpdateAsync(user);
        if (!result.Succeeded) return UserAdminResult.Fail(Describe(result));
        await users.UpdateSecurityStampAsync(user);
        changes.Publish(user.Id);
        await audit.WriteAsync(disabled ? AuditActions.UserDisabled : AuditActions.UserEnabled, actor, details: Details(user, null), cancellationToken: ct);
        return new UserAdminResult(true, disabled ? $"{user.Email} is disabled; its history stays." : $"{user.Email} is enabled again.");
    }

    /// <summary>Replaces the password with a generated temporary one (returned once, to be handed over in person), ends
    /// the user's sessions and sends them to "change password" at their next sign-in.</summary>
    public async Task<UserAdminResult> ForcePasswordResetAsync(string userId, Actor actor, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        if (await AuthorityRefusalAsync(scope, actor, AuditActions.UserPasswordResetForced, ct) is { } refused) return refused;
        if (await users.FindByIdAsync(userId) is not { } user) return UserAdminResult.Fail("This account no longer exists.");

        var password = DatabaseInitializer.GeneratePassword();
        var token = await users.GeneratePasswordResetTokenAsync(user);
        var reset = await users.ResetPasswordAsync(user, token, password);
        if (!reset.Succeeded) return UserAdminResult.Fail(Describe(reset));
        await RequirePasswordChangeAsync(users, user);
        await users.UpdateSecurityStampAsync(user);
        changes.Publish(user.Id);

        await audit.WriteAsync(AuditActions.UserPasswordResetForced, actor, details: Details(user, null), cancellationToken: ct);
        return new UserAdminResult(true, $"Temporary password for {user.Email} (shown once; they must change it at sign-in):", password);
    }

    /// <summary>The acting admin's authority now (Admin role, enabled, not locked), read in the scope's context that
    /// records the change; a refusal is audited and changes nothing.</summary>
    private async Task<UserAdminResult?> AuthorityRefusalAsync(AsyncServiceScope scope, Actor actor, string attemptedAction, CancellationToken ct) =>
        await AuthorityCheck.RefusalAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), audit, actor, Roles.Admin, attemptedAction,
            time.GetUtcNow(), ct) is { } refusal ? UserAdminResult.Fail(refusal) : null;

    /// <summary>True when <paramref name="user"/> is an enabled, unlocked admin and no other such admin exists.</summary>
    private async Task<bool> IsLastActiveAdminAsync(UserManager<ApplicationUser> users, ApplicationUser user)
    {
        var now = time.GetUtcNow();
        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        var active = admins.Where(a => !a.IsDisabled && !(a.LockoutEnd is { } end && end > now)).ToList();
        return active.Any(a => a.Id == user.Id) && active.Count == 1;
    }

    private static async Task RequirePasswordChangeAsync(UserManager<ApplicationUser> users, ApplicationUser user)
    {
        foreach (var old in (await users.GetClaimsAsync(user)).Where(c => c.Type == PasswordChangeRequiredClaim))
        {
            await users.RemoveClaimAsync(user, old);
        }
        await users.AddClaimAsync(user, new Claim(PasswordChangeRequiredClaim, PasswordFingerprint(user.PasswordHash)));
    }

    /// <summary>A hash of the stored password hash: tells whether the password changed since, reveals nothing.</summary>
    internal static string PasswordFingerprint(string? passwordHash) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(passwordHash ?? "")));

    private async Task<UserAdminResult> RefuseAsync(Actor actor, ApplicationUser user, string change, string message, CancellationToken ct)
    {
        await audit.WriteAsync(AuditActions.UserChangeRefused, actor, outcome: "refused", details: Details(user, "change=" + change), cancellationToken: ct);
        return UserAdminResult.Fail(message);
    }

    private static string Details(ApplicationUser user, string? more) =>
        string.Create(CultureInfo.InvariantCulture, $"target={user.Id} email={user.Email}{(more is null ? "" : " " + more)}");

    private static string Describe(IdentityResult result) => string.Join(" ", result.Errors.Select(e => e.Description));
}

using System.Security.Claims;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Turns an Entra ID sign-in into the local account the rest of the app uses (drafts, decisions and the
/// audit trail refer to local user ids; the idle sign-out and security-stamp checks work unchanged).</summary>
public sealed class EntraIdAccounts(UserManager<ApplicationUser> users, IOptions<EntraIdOptions> options, AuditLog audit, ILogger<EntraIdAccounts> logger)
{
    /// <summary>Finds (by object id, then e-mail) or creates the account, sets its roles to what the token grants and
    /// returns it; null when the token grants no ClinicalAssist role or the account is disabled (audited).</summary>
    public async Task<ApplicationUser?> ProvisionAsync(ClaimsPrincipal external, CancellationToken ct)
    {
        var objectId = external.FindFirstValue("oid") ?? external.FindFirstValue(EntraIdSignIn.ObjectIdClaim)
                       ?? external.FindFirstValue("sub") ?? external.FindFirstValue(ClaimTypes.NameIdentifier);
        var email = external.FindFirstValue("preferred_username") ?? external.FindFirstValue(ClaimTypes.Email)
                    ?? external.FindFirstValue("email") ?? external.FindFirstValue(ClaimTypes.Upn);
        var name = external.FindFirstValue("name") ?? external.FindFirstValue(ClaimTypes.Name) ?? email;
        if (string.IsNullOrEmpty(objectId) || string.IsNullOrEmpty(email))
        {
            logger.LogWarning("Entra ID sign-in refused: the token has no object id or user name.");
            await audit.WriteAsync(AuditActions.SignInFailed, null, outcome: "failure", details: "Entra ID token without object id or user name", cancellationToken: ct);
            return null;
        }

        var roles = EntraIdSignIn.MapRoles(external, options.Value);
        var user = await users.FindByLoginAsync(EntraIdSignIn.Scheme, objectId) ?? await users.FindByEmailAsync(email);
        if (roles.Count == 0)
        {
            logger.LogWarning("Entra ID sign-in refused: no ClinicalAssist role in the token.");
            await audit.WriteAsync(AuditActions.SignInFailed, user is null ? null : new Actor(user.Id, user.DisplayName), outcome: "failure",
                details: "Entra ID: no Clinician, Reviewer or Admin app role or group", cancellationToken: ct);
            return null;
        }

        if (user is null)
        {
            user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name ?? email };
            Check(await users.CreateAsync(user), "create the account");
        }
        if (user.IsDisabled)
        {
            await audit.WriteAsync(AuditActions.SignInFailed, new Actor(user.Id, user.DisplayName), outcome: "failure", details: "account disabled", cancellationToken: ct);
            return null;
        }
        if ((await users.GetLoginsAsync(user)).All(l => l.LoginProvider != EntraIdSignIn.Scheme))
        {
            Check(await users.AddLoginAsync(user, new UserLoginInfo(EntraIdSignIn.Scheme, objectId, "Microsoft Entra ID")), "link the Entra ID login");
        }
        if (!string.IsNullOrWhiteSpace(name) && user.DisplayName != name)
        {
            user.DisplayName = name;
            Check(await users.UpdateAsync(user), "update the display name");
        }

        // The token is the source of truth for product roles.
        var current = (await users.GetRolesAsync(user)).Where(r => Roles.All.Contains(r)).ToList();
        var remove = current.Except(roles).ToList();
        var add = roles.Except(current).ToList();
        if (remove.Count > 0) Check(await users.RemoveFromRolesAsync(user, remove), "remove roles");
        if (add.Count > 0) Check(await users.AddToRolesAsync(user, add), "add roles");

        logger.LogInformation("User {UserId} signed in with Entra ID.", user.Id);
        await audit.WriteAsync(AuditActions.SignedIn, new Actor(user.Id, user.DisplayName), details: $"Entra ID; roles {string.Join(",", roles.Order())}", cancellationToken: ct);
        return user;
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Entra ID sign-in could not {what}: {string.Join("; ", result.Errors.Select(e => e.Code))}");
        }
    }
}

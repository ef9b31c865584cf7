using ClinicalAssist.Data;
using Microsoft.AspNetCore.Identity;

namespace ClinicalAssist.Web.Features.Admin;

/// <summary>
/// Sends a user whose password an admin set (new account with a temporary password, or a forced reset) to
/// "change password" before anything else. The flag is a user claim holding a fingerprint of the password hash the
/// admin set: once the stored hash differs (the user changed it), the claim is removed and the sign-in refreshed.
/// </summary>
public sealed class PasswordChangeRequirement(RequestDelegate next)
{
    public const string ChangePasswordPath = "/Account/Manage/ChangePassword";

    private static readonly string[] AlwaysAllowed =
        [ChangePasswordPath, "/Account/Logout", "/Account/Login", "/_framework", "/_content", "/_blazor", "/health", "/not-found", "/Error"];

    public async Task InvokeAsync(HttpContext http, UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn)
    {
        var flag = http.User.FindFirst(UserAdministration.PasswordChangeRequiredClaim);
        if (flag is null || http.User.Identity?.IsAuthenticated != true || IsAllowed(http.Request.Path))
        {
            await next(http);
            return;
        }

        var user = await users.GetUserAsync(http.User);
        if (user is null)
        {
            await next(http);
            return;
        }

        if (UserAdministration.PasswordFingerprint(user.PasswordHash) != flag.Value)
        {
            // The user has changed the password since the admin set it: clear the flag and carry on.
            foreach (var claim in (await users.GetClaimsAsync(user)).Where(c => c.Type == UserAdministration.PasswordChangeRequiredClaim))
            {
                await users.RemoveClaimAsync(user, claim);
            }
            await signIn.RefreshSignInAsync(user);
            await next(http);
            return;
        }

        http.Response.Redirect(ChangePasswordPath);
    }

    private static bool IsAllowed(PathString path) =>
        AlwaysAllowed.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase))
        || Path.HasExtension(path.Value); // static files (css, js, png)
}

using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;

namespace ClinicalAssist.Web.Components.Account;

internal static class IdentityComponentsEndpointRouteBuilderExtensions
{
    /// <summary>Endpoints the static Identity pages post to. Self-registration, external logins and
    /// personal-data download are deliberately absent: accounts are created by an admin (hospital policy).</summary>
    public static IEndpointConventionBuilder MapAdditionalIdentityEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);

        var accountGroup = endpoints.MapGroup("/Account");

        accountGroup.MapPost("/Logout", async (
            ClaimsPrincipal user,
            [FromServices] SignInManager<ApplicationUser> signInManager,
            [FromServices] SignInSessions sessions,
            [FromServices] AuditLog audit,
            [FromForm] string? returnUrl) =>
        {
            if (user.Identity?.IsAuthenticated == true)
            {
                await sessions.EndAsync(SignInSessions.IdOf(user), "signed out");
                await audit.WriteAsync(AuditActions.SignedOut, Actor.From(user));
            }
            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect("~/Account/Login");
        });

        // Where a circuit that lost access sends the browser: ends the cookie (if any is left), then the sign-in page.
        // A GET on purpose (reached by navigation); it can only sign the caller out.
        accountGroup.MapGet("/SignedOut", async (
            ClaimsPrincipal user,
            [FromServices] SignInManager<ApplicationUser> signInManager,
            [FromServices] SignInSessions sessions,
            [FromServices] AuditLog audit,
            [FromQuery] string? returnUrl) =>
        {
            if (user.Identity?.IsAuthenticated == true)
            {
                await sessions.EndAsync(SignInSessions.IdOf(user), "ended by the app (idle or access revoked)");
                await audit.WriteAsync(AuditActions.SignedOut, Actor.From(user), details: "session ended (idle or access revoked)");
                await signInManager.SignOutAsync();
            }
            var target = string.IsNullOrEmpty(returnUrl) || !Uri.IsWellFormedUriString(returnUrl, UriKind.Relative) || returnUrl.StartsWith("//", StringComparison.Ordinal)
                ? "~/Account/Login"
                : $"~/Account/Login?ReturnUrl={Uri.EscapeDataString("/" + returnUrl.TrimStart('/'))}";
            return TypedResults.LocalRedirect(target);
        });

        // Keep-alive for people working inside the circuit (no HTTP requests): renews the sliding sign-in cookie and
        // records the use on the session, which the circuit's idle check reads (wwwroot/session.js).
        accountGroup.MapGet("/KeepAlive", async (HttpContext context, SignInSessions sessions) =>
        {
            await sessions.TouchAsync(context.User, context.RequestAborted);
            return TypedResults.NoContent();
        }).RequireAuthorization();

        return accountGroup;
    }
}

using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;

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
            [FromServices] AuditLog audit,
            [FromForm] string? returnUrl) =>
        {
            if (user.Identity?.IsAuthenticated == true)
            {
                await audit.WriteAsync(AuditActions.SignedOut, Actor.From(user));
            }
            await signInManager.SignOutAsync();
            return TypedResults.LocalRedirect("~/Account/Login");
        });

        return accountGroup;
    }
}

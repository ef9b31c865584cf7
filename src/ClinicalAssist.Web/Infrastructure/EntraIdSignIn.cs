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

public static class EntraIdSignIn
{
    public const string Scheme = "EntraId";
    public const string ObjectIdClaim = "http://schemas.microsoft.com/identity/claims/objectidentifier";

    /// <summary>Adds the OpenID Connect scheme when EntraId:Enabled is true. Sign-in lands in Identity's external
    /// cookie; <see cref="MapEntraIdEndpoints"/> turns it into a local account (linked by object id) whose roles
    /// follow the token on every sign-in.</summary>
    public static void AddEntraIdSignIn(this IHostApplicationBuilder builder, AuthenticationBuilder authentication)
    {
        builder.Services.AddOptions<EntraIdOptions>().BindConfiguration(EntraIdOptions.Section);
        builder.Services.AddScoped<EntraIdAccounts>();
        var options = builder.Configuration.GetSection(EntraIdOptions.Section).Get<EntraIdOptions>() ?? new();
        if (!options.Enabled)
        {
            return;
        }

        var azureAd = builder.Configuration.GetSection("AzureAd");
        if (string.IsNullOrWhiteSpace(azureAd["ClientId"]) || string.IsNullOrWhiteSpace(azureAd["TenantId"]))
        {
            throw new InvalidOperationException("EntraId:Enabled is true but AzureAd:ClientId and AzureAd:TenantId are not both set.");
        }

        authentication.AddMicrosoftIdentityWebApp(azureAd, openIdConnectScheme: Scheme, cookieScheme: null, displayName: options.DisplayName);
        builder.Services.Configure<OpenIdConnectOptions>(Scheme, oidc =>
        {
            oidc.SignInScheme = IdentityConstants.ExternalScheme;
            oidc.SignOutScheme = IdentityConstants.ApplicationScheme;
        });

        // Forms may post to the authority (the browser follows the challenge redirect from a form post).
        var instance = azureAd["Instance"] ?? "https://login.microsoftonline.com/";
        var targets = new ContentSecurityPolicy.FormTargets();
        targets.Origins.Add(new Uri(instance).GetLeftPart(UriPartial.Authority));
        builder.Services.AddSingleton(targets);
    }

    /// <summary>The product roles a token grants: its "roles" (app roles) and "groups" values through the mapping.</summary>
    public static IReadOnlySet<string> MapRoles(ClaimsPrincipal principal, EntraIdOptions options)
    {
        var values = principal.Claims
            .Where(c => c.Type is "roles" or "groups" or ClaimTypes.Role or "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups")
            .Select(c => c.Value)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        return options.EffectiveRoles()
            .Where(mapping => mapping.Value.Any(values.Contains))
            .Select(mapping => mapping.Key)
            .ToHashSet(StringComparer.Ordinal);
    }

    public static IEndpointConventionBuilder MapEntraIdEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/Account");

        // The sign-in page's button posts here (antiforgery-checked form), and the browser goes to Entra ID.
        group.MapPost("/ExternalLogin", async (HttpContext http, [FromServices] SignInManager<ApplicationUser> signIn, [FromServices] IOptions<EntraIdOptions> options) =>
        {
            if (!options.Value.Enabled) return Results.NotFound();
            if (http.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is not { IsValid: true })
            {
                // With a body, so the status-code page does not re-execute this form post.
                return Results.Text("The sign-in form expired. Go back to the sign-in page and try again.", "text/plain", statusCode: StatusCodes.Status400BadRequest);
            }
            var returnUrl = (await http.Request.ReadFormAsync(http.RequestAborted))["returnUrl"].ToString();
            var local = IsLocal(returnUrl) ? returnUrl : "/";
            var properties = signIn.ConfigureExternalAuthenticationProperties(Scheme, "/Account/ExternalLoginCallback?returnUrl=" + Uri.EscapeDataString(local));
            return Results.Challenge(properties, [Scheme]);
        }).WithMetadata(new Microsoft.AspNetCore.Antiforgery.RequireAntiforgeryTokenAttribute()); // validated by UseAntiforgery, answered above

        group.MapGet("/ExternalLoginCallback", async (HttpContext http, [FromServices] EntraIdAccounts accounts,
            [FromServices] SignInManager<ApplicationUser> signIn, [FromQuery] string? returnUrl) =>
        {
            var external = await http.AuthenticateAsync(IdentityConstants.ExternalScheme);
            await http.SignOutAsync(IdentityConstants.ExternalScheme);
            if (!external.Succeeded || external.Principal is null)
            {
                return Results.LocalRedirect("~/Account/Login");
            }
            var user = await accounts.ProvisionAsync(external.Principal, http.RequestAborted);
            if (user is null)
            {
                return Results.LocalRedirect("~/Account/AccessDenied");
            }
            await signIn.SignInAsync(user, isPersistent: false, authenticationMethod: Scheme);
            return Results.LocalRedirect(IsLocal(returnUrl) ? "~" + returnUrl : "~/");
        });
        return group;
    }

    private static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);
}

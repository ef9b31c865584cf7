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

/// <summary>
/// Section "EntraId": sign-in with Microsoft Entra ID (OpenID Connect through Microsoft.Identity.Web), off by
/// default. The app registration itself is configured in the standard section "AzureAd" (Instance, TenantId,
/// ClientId, ClientSecret or a certificate, CallbackPath). <see cref="Roles"/> maps the token's app roles ("roles"
/// claim) or security-group object ids ("groups" claim) to Clinician / Reviewer / Admin.
/// </summary>
public sealed class EntraIdOptions
{
    public const string Section = "EntraId";

    public bool Enabled { get; set; }

    /// <summary>Text of the sign-in button.</summary>
    public string DisplayName { get; set; } = "Microsoft Entra ID";

    /// <summary>Product role → app-role values or group object ids that grant it. Defaults: the app roles named
    /// Clinician, Reviewer and Admin.</summary>
    public Dictionary<string, string[]> Roles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The mapping in force: configured entries, or each product role mapped from the app role of the same name.</summary>
    public IReadOnlyDictionary<string, string[]> EffectiveRoles() =>
        Data.Roles.All.ToDictionary(r => r, r => Roles.TryGetValue(r, out var values) && values.Length > 0 ? values : [r], StringComparer.Ordinal);
}

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

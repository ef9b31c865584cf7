using System.Security.Claims;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Components.Account;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClinicalAssist.Web.Infrastructure;

public static class IdentityServiceCollectionExtensions
{
    /// <summary>Local ASP.NET Core Identity accounts with roles Clinician, Reviewer, Admin (no self-registration), and
    /// Microsoft Entra ID sign-in when EntraId:Enabled is set.</summary>
    public static IHostApplicationBuilder AddClinicalAssistIdentity(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddCascadingAuthenticationState();
        services.AddScoped<IdentityRedirectManager>();
        services.AddScoped<AuthenticationStateProvider, IdentityRevalidatingAuthenticationStateProvider>();
        services.TryAddSingleton<AccountChanges>();
        services.TryAddSingleton<SignInSessions>();
        services.AddOptions<SignInThrottleOptions>().BindConfiguration(SignInThrottleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<SignInThrottle>();

        var authentication = services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            });
        authentication.AddIdentityCookies();
        // Optional: Microsoft Entra ID (OpenID Connect) beside the local accounts, by configuration.
        builder.AddEntraIdSignIn(authentication);

        services.AddOptions<IdleSessionOptions>().BindConfiguration(IdleSessionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<CircuitActivity>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, ActivityCircuitHandler>();

        var session = builder.Configuration.GetSection(IdleSessionOptions.Section).Get<IdleSessionOptions>() ?? new IdleSessionOptions();
        services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/Account/Login";
            cookie.AccessDeniedPath = "/Account/AccessDenied";
            cookie.Cookie.Name = "ClinicalAssist.Auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Strict;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            // The cookie lives as long as the idle timeout and slides with each request; while the user works
            // inside the circuit (no HTTP requests), the page's keep-alive renews it (wwwroot/session.js).
            cookie.ExpireTimeSpan = session.IdleTimeout;
            cookie.SlidingExpiration = true;
            // Server-side sessions: each sign-in gets a session id in its cookie; a request whose session has ended
            // (signed out) is refused before anything else, so a copy of the cookie dies with the sign-out.
            cookie.Events.OnSigningIn = async context =>
            {
                if (context.Principal?.Identity is ClaimsIdentity identity && SignInSessions.IdOf(context.Principal) is null
                    && context.Principal.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId)
                {
                    // A refreshed sign-in of the same user (password change, two-factor set-up) keeps its session.
                    var current = context.HttpContext.User;
                    var id = current.FindFirstValue(ClaimTypes.NameIdentifier) == userId ? SignInSessions.IdOf(current) : null;
                    var sessions = context.HttpContext.RequestServices.GetRequiredService<SignInSessions>();
                    identity.AddClaim(new Claim(SignInSessions.ClaimType, id ?? await sessions.StartAsync(userId, context.HttpContext.RequestAborted)));
                }
            };
            cookie.Events.OnValidatePrincipal = async context =>
            {
                var sessions = context.HttpContext.RequestServices.GetRequiredService<SignInSessions>();
                if (context.Principal is null || !await sessions.IsActiveAsync(context.Principal, context.HttpContext.RequestAborted))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
                    return;
                }
                await SecurityStampValidator.ValidatePrincipalAsync(context);
            };
        });

        // Every HTTP request re-checks the cookie's security stamp against the database (Identity's default is every
        // 30 minutes): disabling, locking, a forced password reset or a role change renews the stamp, so the account
        // loses server-rendered pages and exports at its next request, as its live circuits do at the next
        // revalidation. One indexed user lookup per request (the authorization matrix in tests/…/Security found a
        // disabled admin still exporting the audit trail with the cookie it held).
        // The principal rebuilt at each check keeps its session id.
        services.Configure<SecurityStampValidatorOptions>(o =>
        {
            o.ValidationInterval = TimeSpan.Zero;
            o.OnRefreshingPrincipal = context =>
            {
                if (context.CurrentPrincipal is { } current && SignInSessions.IdOf(current) is { } id
                    && context.NewPrincipal?.Identity is ClaimsIdentity identity && SignInSessions.IdOf(context.NewPrincipal) is null)
                {
                    identity.AddClaim(new Claim(SignInSessions.ClaimType, id));
                }
                return Task.CompletedTask;
            };
        });

        services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = false;
                options.User.RequireUniqueEmail = true;
                // Failed passwords pause sign-in per account and address (SignInThrottle), not by locking the account,
                // so nobody can lock a colleague out by guessing; Identity's lock-out is left to admins ("Lock").
                options.Lockout.AllowedForNewUsers = true;
            })
            .AddPasswordPolicy()
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddClaimsPrincipalFactory<AppClaimsPrincipalFactory>()
            .AddSignInManager()
            .AddDefaultTokenProviders();

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Clinician, p => p.RequireRole(Roles.Clinician))
            .AddPolicy(Policies.Reviewer, p => p.RequireRole(Roles.Reviewer))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Policies.ChartReader, p => p.RequireRole(Roles.Clinician, Roles.Reviewer));

        return builder;
    }
}

using ClinicalAssist.Data;
using ClinicalAssist.Web.Components.Account;
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
        });

        // Every HTTP request re-checks the cookie's security stamp against the database (Identity's default is every
        // 30 minutes): disabling, locking, a forced password reset or a role change renews the stamp, so the account
        // loses server-rendered pages and exports at its next request, as its live circuits do at the next
        // revalidation. One indexed user lookup per request (the authorization matrix in tests/…/Security found a
        // disabled admin still exporting the audit trail with the cookie it held).
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.Zero);

        services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.SignIn.RequireConfirmedAccount = false;
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Lockout.AllowedForNewUsers = true;
            })
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

/// <summary>Authorization policy names used by pages (<c>@attribute [Authorize(Policy = Policies.X)]</c>).</summary>
public static class Policies
{
    public const string Clinician = "Clinician";
    public const string Reviewer = "Reviewer";
    public const string Admin = "Admin";
    /// <summary>Who may open a chart and its drafts: clinicians and reviewers.</summary>
    public const string ChartReader = "ChartReader";
}

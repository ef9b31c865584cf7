using ClinicalAssist.Data;
using ClinicalAssist.Web.Components;
using ClinicalAssist.Web.Components.Account;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor;
using MudBlazor.Services;

namespace ClinicalAssist.Web.Infrastructure;

public static class WebServiceCollectionExtensions
{
    /// <summary>Blazor Server (interactive server components, through Azure SignalR Service when configured), MudBlazor,
    /// Data Protection keys in the database (every instance reads the same key ring).</summary>
    public static IHostApplicationBuilder AddClinicalAssistWeb(this IHostApplicationBuilder builder)
    {
        // Static web assets (MudBlazor's CSS/JS under _content/) from the build output in every environment, so the
        // app and its browser tests can run the built DLL outside Development. Published output has no manifest: no-op.
        if (builder is WebApplicationBuilder web)
        {
            web.WebHost.UseStaticWebAssets();
        }

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        // The antiforgery cookie is Secure whenever the request is HTTPS (directly or through a known proxy), like the
        // sign-in cookie; plain-HTTP development keeps working.
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        builder.AddAzureSignalRIfConfigured();
        builder.Services.AddMudServices(mud =>
        {
            // Messages appear and go at once (no fade: full contrast for as long as they show, no motion) and stay
            // long enough to read at the bedside.
            mud.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
            mud.SnackbarConfiguration.ShowTransitionDuration = 0;
            mud.SnackbarConfiguration.HideTransitionDuration = 0;
            mud.SnackbarConfiguration.VisibleStateDuration = 6000;
        });
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SafeMarkdownRenderer>();
        builder.Services.AddOptions<DemoUsersOptions>().BindConfiguration(DemoUsersOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        builder.AddClinicalAssistDataProtection();
        builder.AddReverseProxySupport();
        builder.AddCircuitOriginCheck();
        return builder;
    }

    /// <summary>Section "DataProtection". <c>KeyStore</c>: <c>Database</c> (default; the key ring lives in the app's
    /// database, table DataProtectionKeys, so every instance decrypts every cookie, antiforgery token and protected
    /// value) or <c>Directory</c> (<c>KeysDirectory</c>, e.g. one shared mount; single-instance development).</summary>
    public static IHostApplicationBuilder AddClinicalAssistDataProtection(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("DataProtection");
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("ClinicalAssist");
        var store = section["KeyStore"] ?? "Database";
        if (string.Equals(store, "Directory", StringComparison.OrdinalIgnoreCase))
        {
            var keys = section["KeysDirectory"] ?? Path.Combine(builder.Environment.ContentRootPath, "App_Data", "keys");
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
        }
        else if (string.Equals(store, "Database", StringComparison.OrdinalIgnoreCase))
        {
            dataProtection.PersistKeysToDbContext<AppDbContext>();
        }
        else
        {
            throw new InvalidOperationException($"DataProtection:KeyStore must be Database or Directory, not '{store}'.");
        }
        return builder;
    }

    /// <summary>Section "Azure:SignalR": with a connection string, Blazor's circuits run over Azure SignalR Service
    /// (instances need no sticky sessions; the service keeps each circuit on the instance that owns it). Without one,
    /// circuits are served by the app itself and a load balancer must pin each browser to one instance (ARR affinity /
    /// session affinity) — see docs/deployment.md.</summary>
    public static IHostApplicationBuilder AddAzureSignalRIfConfigured(this IHostApplicationBuilder builder)
    {
        var connectionString = builder.Configuration["Azure:SignalR:ConnectionString"];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            builder.Services.AddSignalR().AddAzureSignalR(options =>
            {
                options.ConnectionString = connectionString;
                options.ServerStickyMode = Microsoft.Azure.SignalR.ServerStickyMode.Required; // Blazor circuits are stateful
            });
        }
        return builder;
    }

    public static WebApplication UseClinicalAssistPipeline(this WebApplication app)
    {
        app.UseReverseProxySupport();
        if (app.Environment.IsDevelopment())
        {
            app.UseMigrationsEndPoint();
        }
        else
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        app.UseSecurityHeaders();
        app.UseCircuitOriginCheck();

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseRateLimiter();
        app.UseAntiforgery();
        // A form post with a missing or bad antiforgery token ends as 400. It must not be re-executed as the not-found
        // page: the re-executed request would meet the failed validation again and turn the 400 into a 500.
        app.Use((http, next) =>
        {
            if (http.Features.Get<Microsoft.AspNetCore.Antiforgery.IAntiforgeryValidationFeature>() is { IsValid: false }
                && http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } statusCodePages)
            {
                statusCodePages.Enabled = false;
            }
            return next(http);
        });
        app.MapStaticAssets();
        // Our Content-Security-Policy already says frame-ancestors 'none' (ContentSecurityPolicy.cs); Blazor would add a
        // second CSP header with frame-ancestors 'self'.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        app.MapAdditionalIdentityEndpoints();
        app.MapEntraIdEndpoints();
        return app;
    }
}

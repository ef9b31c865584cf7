using ClinicalAssist.Web.Components;
using ClinicalAssist.Web.Components.Account;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MudBlazor;
using MudBlazor.Services;

namespace ClinicalAssist.Web.Infrastructure;

public static class WebServiceCollectionExtensions
{
    /// <summary>Blazor Server (interactive server components), MudBlazor, Data Protection keys kept beside the data.</summary>
    public static IHostApplicationBuilder AddClinicalAssistWeb(this IHostApplicationBuilder builder)
    {
        // Static web assets (MudBlazor's CSS/JS under _content/) from the build output in every environment, so the
        // app and its browser tests can run the built DLL outside Development. Published output has no manifest: no-op.
        if (builder is WebApplicationBuilder web)
        {
            web.WebHost.UseStaticWebAssets();
        }

        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices(mud =>
        {
            // Messages appear at once (no fade-in: readable immediately, full contrast, no motion) and stay long
            // enough to read at the bedside.
            mud.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight;
            mud.SnackbarConfiguration.ShowTransitionDuration = 0;
            mud.SnackbarConfiguration.VisibleStateDuration = 6000;
        });
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddOptions<DemoUsersOptions>().BindConfiguration(DemoUsersOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        var keys = builder.Configuration["DataProtection:KeysDirectory"]
                   ?? Path.Combine(builder.Environment.ContentRootPath, "App_Data", "keys");
        builder.Services.AddDataProtection()
            .SetApplicationName("ClinicalAssist")
            .PersistKeysToFileSystem(new DirectoryInfo(keys));
        return builder;
    }

    public static WebApplication UseClinicalAssistPipeline(this WebApplication app)
    {
        if (app.Environment.IsDevelopment())
        {
            app.UseMigrationsEndPoint();
        }
        else
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
            app.UseHsts();
        }

        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            await next();
        });

        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseRateLimiter();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapAdditionalIdentityEndpoints();
        return app;
    }
}

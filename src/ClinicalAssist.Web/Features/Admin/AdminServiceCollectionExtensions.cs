using ClinicalAssist.Web.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClinicalAssist.Web.Features.Admin;

public static class AdminServiceCollectionExtensions
{
    /// <summary>Administration: users and roles, model configurations and cards, quality metrics.</summary>
    public static IHostApplicationBuilder AddAdmin(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<UserAdministration>();
        builder.Services.TryAddSingleton<AccountChanges>();
        builder.Services.AddSingleton<ModelConfigurationAdmin>();
        builder.Services.AddSingleton<QualityMetrics>();
        return builder;
    }

    /// <summary>The forced-password-change redirect and the admin endpoints (all Admin only).</summary>
    public static WebApplication MapAdmin(this WebApplication app)
    {
        app.UseMiddleware<PasswordChangeRequirement>();
        app.MapQualityExport();
        return app;
    }
}

using ClinicalAssist.Data;
using Azure.Identity;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Drafting;

public static class DraftingServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="ModelOptions"/> (section "Model", validated at start-up) and registers the
    /// prompt builder, injection detector, citation verifier, the draft generator and the configured <see cref="IDraftModel"/>
    /// (offline rule-based by default; Azure AI Foundry when Model:Provider is AzureAIInference).
    /// </summary>
    public static IHostApplicationBuilder AddDrafting(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddOptions<ModelOptions>()
            .BindConfiguration(ModelOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<PromptBuilder>();
        builder.Services.AddSingleton<PromptInjectionDetector>();
        builder.Services.AddSingleton<CitationVerifier>();
        builder.Services.AddSingleton<DraftSafetyNet>();
        builder.Services.AddSingleton<PromptTemplateStore>();
        builder.Services.AddSingleton<PromptTemplateAdmin>();
        builder.Services.AddSingleton<DraftGenerator>();
        builder.Services.AddSingleton(sp => new ModelConfigurationService(
            sp.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<AppDbContext>>(),
            sp.GetRequiredService<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider>(),
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<IOptions<ModelOptions>>(),
            sp.GetRequiredService<PromptInjectionDetector>(),
            sp.GetRequiredService<ILoggerFactory>()));

        builder.Services.AddSingleton<IDraftModel>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ModelOptions>>().Value;
            return options.Provider switch
            {
                ModelProvider.AzureAIInference => new AzureAIInferenceDraftModel(
                    options,
                    sp.GetRequiredService<ILogger<AzureAIInferenceDraftModel>>(),
                    options.UseEntraId ? new DefaultAzureCredential() : null),
                _ => new OfflineDrafter(
                    sp.GetRequiredService<PromptInjectionDetector>(),
                    TimeSpan.FromMilliseconds(options.OfflineChunkDelayMilliseconds)),
            };
        });

        return builder;
    }
}

using Azure.Core;
using ClinicalAssist.Data;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Drafting;

public static class DraftingServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="ModelOptions"/> (section "Model", validated at start-up) and registers the
    /// prompt builder, injection detector, citation verifier, the draft generator, the model configurations and
    /// the one place drafters are built (<see cref="DraftModelFactory"/>: the admin's active model configuration,
    /// whose first version the "Model" section seeds). <see cref="IDraftModel"/> itself is the offline rule-based
    /// drafter, the embedded default used only where no configuration store exists.
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
        builder.Services.AddSingleton<DraftEdits>();
        builder.Services.AddHostedService<InterruptedDraftSweeper>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DraftModelFactory>();
        builder.Services.TryAddKeyedSingleton<TokenCredential>(ModelConfigurationService.EntraCredentialKey, (_, _) => new DefaultAzureCredential());
        builder.Services.AddSingleton<ModelConfigurationService>();

        builder.Services.AddSingleton<IDraftModel>(sp => sp.GetRequiredService<DraftModelFactory>().Create(new ModelOptions
        {
            Provider = ModelProvider.Offline,
            OfflineChunkDelayMilliseconds = sp.GetRequiredService<IOptions<ModelOptions>>().Value.OfflineChunkDelayMilliseconds,
        }));

        return builder;
    }
}

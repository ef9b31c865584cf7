using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Tests.Drafting;

public sealed class DraftingRegistrationTests
{
    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddClinicalAssistData(); // drafts are stored (and their recovery runs) in the database, audited
        builder.AddGovernance();
        builder.AddDrafting();
        return builder.Build();
    }

    [Fact]
    public async Task Defaults_to_the_offline_drafter_and_registers_the_checks()
    {
        using var host = Build([]);
        await host.StartAsync(Xunit.TestContext.Current.CancellationToken);

        Assert.IsType<OfflineDrafter>(host.Services.GetRequiredService<IDraftModel>());
        Assert.Same(host.Services.GetRequiredService<IDraftModel>(), host.Services.GetRequiredService<IDraftModel>());
        Assert.NotNull(host.Services.GetRequiredService<PromptBuilder>());
        Assert.NotNull(host.Services.GetRequiredService<PromptInjectionDetector>());
        Assert.NotNull(host.Services.GetRequiredService<CitationVerifier>());
        await host.StopAsync(Xunit.TestContext.Current.CancellationToken);
    }

    [Fact]
    public void A_configured_endpoint_is_validated_but_the_drafter_comes_from_the_model_configurations()
    {
        using var host = Build(new()
        {
            ["Model:Provider"] = "AzureAIInference",
            ["Model:Endpoint"] = "https://example-resource.services.ai.azure.com/models",
            ["Model:Deployment"] = "gpt-4o-mini",
            ["Model:ApiKey"] = "configured-secret-value",
            ["Model:Temperature"] = "0.2",
        });

        // One place builds drafters: the "Model" section seeds the stored configuration, the active configuration
        // drafts (ModelConfigurationService → DraftModelFactory). IDraftModel is the embedded offline default.
        Assert.IsType<OfflineDrafter>(host.Services.GetRequiredService<IDraftModel>());
        Assert.NotNull(host.Services.GetRequiredService<DraftModelFactory>());
        var options = host.Services.GetRequiredService<IOptions<ModelOptions>>().Value;
        Assert.Equal(0.2f, options.Temperature);
        Assert.DoesNotContain("configured-secret-value", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("ApiKey(set)", options.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "gpt", "key", false, "Model:Endpoint is required")]
    [InlineData("https://x.services.ai.azure.com/models", null, "key", false, "Model:Deployment")]
    [InlineData("https://x.services.ai.azure.com/models", "gpt", null, false, "Model:ApiKey")]
    [InlineData("http://x.services.ai.azure.com/models", "gpt", "key", false, "https")]
    [InlineData("https://x.services.ai.azure.com/models", "gpt", "key", true, "not both")]
    public async Task Rejects_an_incomplete_azure_configuration_at_start(string? endpoint, string? deployment, string? apiKey, bool entra, string expected)
    {
        using var host = Build(new()
        {
            ["Model:Provider"] = "AzureAIInference",
            ["Model:Endpoint"] = endpoint,
            ["Model:Deployment"] = deployment,
            ["Model:ApiKey"] = apiKey,
            ["Model:UseEntraId"] = entra ? "true" : "false",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Xunit.TestContext.Current.CancellationToken));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("key\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_out_of_range_values()
    {
        using var host = Build(new() { ["Model:Temperature"] = "3", ["Model:MaxTokens"] = "0" });
        var ex = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<ModelOptions>>().Value);
        Assert.Contains("Temperature", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxTokens", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_entra_id_without_a_key()
    {
        var options = new ModelOptions
        {
            Provider = ModelProvider.AzureAIInference,
            Endpoint = new Uri("https://x.services.ai.azure.com/models"),
            Deployment = "gpt",
            UseEntraId = true,
        };
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        Assert.True(System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new(options), results, validateAllProperties: true));
        Assert.Contains("Auth=EntraId", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejects_the_retired_models_route_for_the_OpenAI_v1_provider_at_start()
    {
        using var host = Build(new()
        {
            ["Model:Provider"] = "FoundryOpenAI",
            ["Model:Endpoint"] = "https://x.services.ai.azure.com/models",
            ["Model:Deployment"] = "gpt",
            ["Model:ApiKey"] = "key",
        });

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(Xunit.TestContext.Current.CancellationToken));
        Assert.Contains("/openai/v1/", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Accepts_a_Foundry_OpenAI_v1_endpoint_with_entra_id()
    {
        using var host = Build(new()
        {
            ["Model:Provider"] = "FoundryOpenAI",
            ["Model:Endpoint"] = "https://x.openai.azure.com/openai/v1/",
            ["Model:Deployment"] = "gpt-4o-mini",
            ["Model:UseEntraId"] = "true",
        });

        await host.StartAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal(ModelProvider.FoundryOpenAI, host.Services.GetRequiredService<IOptions<ModelOptions>>().Value.Provider);
        await host.StopAsync(Xunit.TestContext.Current.CancellationToken);
    }
}

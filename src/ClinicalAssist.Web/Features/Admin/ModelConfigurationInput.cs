using System.Globalization;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Admin;

/// <summary>
/// What the model-configuration form edits. <see cref="NewApiKey"/> is write-only: it is never filled from a stored
/// configuration, is encrypted with Data Protection on save, and is cleared from the form afterwards.
/// </summary>
public sealed class ModelConfigurationInput
{
    public string Name { get; set; } = "";
    public ModelProvider Provider { get; set; } = ModelProvider.FoundryOpenAI;
    public string? Endpoint { get; set; }
    public string? Deployment { get; set; }
    public ModelAuthMode AuthMode { get; set; } = ModelAuthMode.ApiKey;
    public string? NewApiKey { get; set; }
    /// <summary>Configuration entry holding the key (user-secrets, environment, Key Vault), instead of storing it.</summary>
    public string? ApiKeyConfigurationKey { get; set; }
    public string? EntraIdScope { get; set; }
    public float Temperature { get; set; } = 0.1f;
    public int MaxTokens { get; set; } = 1200;
    public float? TopP { get; set; }
    public long? Seed { get; set; }
    public int TokenBudget { get; set; } = 12000;
    public string Tokenizer { get; set; } = "o200k_base";
    public int TimeoutSeconds { get; set; } = 60;
    public int MaxRetries { get; set; } = 3;

    /// <summary>The version loaded into the form (null for a new configuration).</summary>
    public Guid? LoadedVersion { get; set; }

    public static ModelConfigurationInput From(ModelConfiguration c) => new()
    {
        Name = c.Name, Provider = c.Provider, Endpoint = c.Endpoint, Deployment = c.Deployment, AuthMode = c.AuthMode,
        NewApiKey = null, ApiKeyConfigurationKey = c.ApiKeyConfigurationKey, EntraIdScope = c.EntraIdScope,
        Temperature = c.Temperature, MaxTokens = c.MaxTokens, TopP = c.TopP, Seed = c.Seed, TokenBudget = c.TokenBudget,
        Tokenizer = c.Tokenizer, TimeoutSeconds = c.TimeoutSeconds, MaxRetries = c.MaxRetries, LoadedVersion = c.Version,
    };
}

namespace ClinicalAssist.Data;

/// <summary>Which drafter produces drafts.</summary>
public enum ModelProvider
{
    /// <summary>The deterministic rule-based drafter: no AI model, no network.</summary>
    Offline,

    /// <summary>A chat model deployed on Azure AI Foundry, called through Azure.AI.Inference (the /models route).
    /// Retired by Microsoft on 2026-08-26; kept for existing configurations.</summary>
    AzureAIInference,

    /// <summary>A chat model deployed on Azure AI Foundry, called through the stable OpenAI .NET SDK against Foundry's
    /// OpenAI/v1 endpoint (https://&lt;resource&gt;.openai.azure.com/openai/v1/). The default for new configurations.</summary>
    FoundryOpenAI,
}

/// <summary>How the product authenticates to a model endpoint.</summary>
public enum ModelAuthMode
{
    /// <summary>No credential (the offline drafter, or a loopback test endpoint).</summary>
    None,

    /// <summary>An API key: either encrypted in <see cref="ModelConfiguration.ProtectedApiKey"/> with ASP.NET Core Data
    /// Protection, or named in <see cref="ModelConfiguration.ApiKeyConfigurationKey"/> (configuration / Key Vault).</summary>
    ApiKey,

    /// <summary>Microsoft Entra ID (DefaultAzureCredential: managed identity, workload identity, Azure CLI…).</summary>
    EntraId,
}

/// <summary>
/// A named model configuration an admin manages ("Foundry GPT-4o", "Offline drafter"…). Exactly one is active for
/// drafting at a time. The API key is never stored in plain text and never shown back: <see cref="ProtectedApiKey"/>
/// holds a Data Protection payload, or <see cref="ApiKeyConfigurationKey"/> names a configuration entry (e.g. a Key
/// Vault secret surfaced through configuration) that holds it.
/// </summary>
public class ModelConfiguration
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public ModelProvider Provider { get; set; }

    /// <summary>Endpoint: https://my-resource.openai.azure.com/openai/v1/ (FoundryOpenAI) or
    /// https://my-resource.services.ai.azure.com/models (AzureAIInference).</summary>
    public string? Endpoint { get; set; }

    /// <summary>Model deployment name sent as the request's model.</summary>
    public string? Deployment { get; set; }

    public ModelAuthMode AuthMode { get; set; }

    /// <summary>The API key protected with ASP.NET Core Data Protection (purpose "ClinicalAssist.ModelApiKey").</summary>
    public string? ProtectedApiKey { get; set; }

    /// <summary>Name of a configuration entry holding the key (e.g. "Model:ApiKey"), instead of storing it.</summary>
    public string? ApiKeyConfigurationKey { get; set; }

    public string? EntraIdScope { get; set; }

    public float Temperature { get; set; } = 0.1f;
    public int MaxTokens { get; set; } = 1200;
    public float? TopP { get; set; }
    public long? Seed { get; set; }

    /// <summary>Most prompt tokens sent for one draft (system + instructions + context).</summary>
    public int TokenBudget { get; set; } = 12000;

    /// <summary>Tokenizer used to count the budget (Microsoft.ML.Tokenizers encoding name, e.g. o200k_base).</summary>
    public string Tokenizer { get; set; } = "o200k_base";

    public int TimeoutSeconds { get; set; } = 60;
    public int MaxRetries { get; set; } = 3;

    /// <summary>The configuration used for new drafts. Exactly one row is active.</summary>
    public bool IsActive { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedByName { get; set; } = "";
    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedByName { get; set; } = "";

    /// <summary>Optimistic concurrency token, renewed on every save.</summary>
    public Guid Version { get; set; }
}

/// <summary>
/// One immutable version of a prompt template. New versions are added, never edited; exactly one version per
/// template is active, and each draft stores the template id and version it used, so its prompt can be rendered again.
/// </summary>
public class PromptTemplateVersion
{
    public Guid Id { get; set; }

    /// <summary>Stable template name, e.g. "clinical-summary".</summary>
    public required string TemplateId { get; set; }
    public int Version { get; set; }
    public required string Body { get; set; }

    /// <summary>SHA-256 (hex) of <see cref="Body"/>.</summary>
    public required string ContentHash { get; set; }
    public string? ChangeNote { get; set; }
    public bool IsActive { get; set; }
    public string? AuthorId { get; set; }
    public required string AuthorName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

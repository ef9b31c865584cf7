using System.ComponentModel.DataAnnotations;
using System.Globalization;
using ClinicalAssist.Data;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Configuration section "Model". <see cref="ApiKey"/> is a secret: supply it through user-secrets, environment
/// variables (Model__ApiKey) or a vault-backed configuration provider, never appsettings.json in source control.
/// It is never logged and never part of <see cref="ToString"/>.
/// </summary>
public sealed class ModelOptions : IValidatableObject
{
    public const string SectionName = "Model";

    /// <summary>Scope for Microsoft Entra ID tokens against Azure AI Foundry / Azure AI services endpoints.</summary>
    public const string DefaultEntraIdScope = "https://cognitiveservices.azure.com/.default";

    public ModelProvider Provider { get; set; } = ModelProvider.Offline;

    /// <summary>Endpoint: https://my-resource.openai.azure.com/openai/v1/ (FoundryOpenAI) or
    /// https://my-resource.services.ai.azure.com/models (AzureAIInference).</summary>
    public Uri? Endpoint { get; set; }

    /// <summary>Model deployment name sent as the request's model.</summary>
    public string? Deployment { get; set; }

    /// <summary>Secret. Never logged, never shown.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Authenticate with Microsoft Entra ID (DefaultAzureCredential: managed identity, workload identity,
    /// Azure CLI…) instead of an API key.</summary>
    public bool UseEntraId { get; set; }

    /// <summary>Token scope used with <see cref="UseEntraId"/>.</summary>
    public string EntraIdScope { get; set; } = DefaultEntraIdScope;

    [Range(0.0, 1.0)]
    public float Temperature { get; set; } = 0.1f;

    [Range(64, 8192)]
    public int MaxTokens { get; set; } = 1200;

    /// <summary>Nucleus sampling (top_p); not sent when null.</summary>
    [Range(0.0, 1.0)]
    public float? TopP { get; set; }

    /// <summary>Sampling seed for endpoints that support reproducible sampling; not sent when null.</summary>
    public long? Seed { get; set; }

    /// <summary>Most prompt tokens sent for one draft, counted with <see cref="Tokenizer"/>.</summary>
    [Range(1000, 1_000_000)]
    public int TokenBudget { get; set; } = PromptSettings.DefaultTokenBudget;

    /// <summary>Microsoft.ML.Tokenizers encoding used to count the budget (o200k_base ships with the product).</summary>
    public string Tokenizer { get; set; } = PromptSettings.DefaultTokenizer;

    /// <summary>Describe the patient by age and sex only (no name, MRN, birth date, address). On by default.</summary>
    public bool MinimiseIdentifiers { get; set; } = true;

    /// <summary>Network timeout for one attempt (connect, and each read of the streamed answer).</summary>
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary>Deadline for one whole model call: every attempt, the waits between them and the streamed answer.
    /// A service that keeps the answer trickling never keeps the clinician waiting longer than this.</summary>
    [Range(1, 3600)]
    public int TotalTimeoutSeconds { get; set; } = 180;

    /// <summary>How long a model call may go without the first text of the answer (every attempt and the waits between
    /// them included). A service that accepts the request and never starts answering is given up on after this, with
    /// a plain message, instead of holding the clinician until the network or total timeout.</summary>
    [Range(1, 600)]
    public int FirstTokenTimeoutSeconds { get; set; } = 45;

    /// <summary>Retries on 408/429/5xx and transport errors before a stream starts: the pipeline's one retry layer
    /// (<see cref="ModelRetryChatClient"/>, honours Retry-After / retry-after-ms).</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>Record prompt and answer text on the model call's OpenTelemetry span (GenAI semantic conventions).
    /// Off by default: the span carries model, token counts and timings only. Turn on only where traces may hold
    /// patient data.</summary>
    public bool RecordContentInTelemetry { get; set; }

    /// <summary>Pause between chunks of the offline draft so the page shows it progressively.</summary>
    [Range(0, 1000)]
    public int OfflineChunkDelayMilliseconds { get; set; } = 20;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Provider == ModelProvider.Offline) yield break;

        if (Endpoint is null)
        {
            yield return new ValidationResult(
                "Model:Endpoint is required when Model:Provider is an AI provider.", [nameof(Endpoint)]);
        }
        else if (!Endpoint.IsAbsoluteUri
                 || !(Endpoint.Scheme == Uri.UriSchemeHttps || (Endpoint.Scheme == Uri.UriSchemeHttp && Endpoint.IsLoopback)))
        {
            yield return new ValidationResult(
                "Model:Endpoint must be an absolute https URL (plain http is accepted only for a loopback address).",
                [nameof(Endpoint)]);
        }
        else if (Provider == ModelProvider.FoundryOpenAI && Endpoint.AbsolutePath.TrimEnd('/').EndsWith("/models", StringComparison.OrdinalIgnoreCase))
        {
            yield return new ValidationResult(
                "Model:Endpoint ends with /models, the retired Azure AI Inference route: the OpenAI/v1 provider takes https://<resource>.openai.azure.com/openai/v1/ (or …services.ai.azure.com/openai/v1/).",
                [nameof(Endpoint)]);
        }

        if (string.IsNullOrWhiteSpace(Deployment))
        {
            yield return new ValidationResult(
                "Model:Deployment (the model deployment name) is required when Model:Provider is an AI provider.",
                [nameof(Deployment)]);
        }

        var hasKey = !string.IsNullOrWhiteSpace(ApiKey);
        if (!hasKey && !UseEntraId)
        {
            yield return new ValidationResult(
                "Model:ApiKey (from user-secrets or the environment variable Model__ApiKey) or Model:UseEntraId=true is required when Model:Provider is an AI provider.",
                [nameof(ApiKey), nameof(UseEntraId)]);
        }
        else if (hasKey && UseEntraId)
        {
            yield return new ValidationResult(
                "Set either Model:ApiKey or Model:UseEntraId, not both.", [nameof(ApiKey), nameof(UseEntraId)]);
        }

        if (UseEntraId && string.IsNullOrWhiteSpace(EntraIdScope))
        {
            yield return new ValidationResult("Model:EntraIdScope is required with Model:UseEntraId.", [nameof(EntraIdScope)]);
        }
    }

    /// <summary>A description safe for logs: the API key is reported only as set or not set.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"Provider={Provider}, Endpoint={Endpoint?.GetLeftPart(UriPartial.Path) ?? "(none)"}, Deployment={Deployment ?? "(none)"}, " +
        $"Auth={(UseEntraId ? "EntraId" : string.IsNullOrWhiteSpace(ApiKey) ? "none" : "ApiKey(set)")}, " +
        $"Temperature={Temperature}, MaxTokens={MaxTokens}, TimeoutSeconds={TimeoutSeconds}, FirstTokenTimeoutSeconds={FirstTokenTimeoutSeconds}, MaxRetries={MaxRetries}, RecordContentInTelemetry={RecordContentInTelemetry}");
}

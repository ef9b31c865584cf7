using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using System.Globalization;
using Azure.Core;
using Azure.Identity;
using ClinicalAssist.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The named model configurations admins manage: which one is active, the drafter each one makes, its API key
/// (encrypted with ASP.NET Core Data Protection or referenced from configuration — never returned in plain text
/// outside this class), and a minimal connection test.
/// </summary>
public sealed class ModelConfigurationService(
    IDbContextFactory<AppDbContext> dbFactory,
    IDataProtectionProvider dataProtection,
    IConfiguration configuration,
    IOptions<ModelOptions> bootstrap,
    DraftModelFactory factory,
    TimeProvider time,
    [FromKeyedServices(ModelConfigurationService.EntraCredentialKey)] TokenCredential entraCredential)
{
    public const string ApiKeyProtectionPurpose = "ClinicalAssist.ModelApiKey";
    public const string OfflineConfigurationName = "Offline drafter";
    public const string ConfiguredEndpointName = "Configured endpoint";

    /// <summary>The service key of the Entra ID credential model endpoints are called with (DefaultAzureCredential;
    /// the unkeyed <see cref="TokenCredential"/> is the FHIR server's managed identity).</summary>
    public const string EntraCredentialKey = "model";

    private readonly IDataProtector _protector = dataProtection.CreateProtector(ApiKeyProtectionPurpose);
    private readonly ConcurrentDictionary<Guid, (Guid Version, IDraftModel Model)> _models = new();

    /// <summary>The date Microsoft retired the Azure AI Inference beta SDK and its /models route.</summary>
    public const string AzureAIInferenceRetired = "2026-08-26";

    /// <summary>How admin pages and docs name a provider.</summary>
    public static string ProviderLabel(ModelProvider provider) => provider switch
    {
        ModelProvider.FoundryOpenAI => "Azure AI Foundry — OpenAI/v1 endpoint",
        ModelProvider.AzureAIInference => $"Azure AI Foundry — Azure.AI.Inference (retired by Microsoft on {AzureAIInferenceRetired})",
        _ => "Offline rule-based (no AI model)",
    };

    /// <summary>The configuration new drafts use. Start-up seeding guarantees there is one.</summary>
    public async Task<ModelConfiguration> GetActiveAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ModelConfigurations.AsNoTracking()
                   .Where(c => c.IsActive)
                   .OrderByDescending(c => c.UpdatedAt)
                   .FirstOrDefaultAsync(ct)
               ?? throw new InvalidOperationException("No model configuration is active. An admin must activate one in Admin › Model configurations.");
    }

    /// <summary>The drafter for a configuration; reused while the configuration is unchanged (same connection pool).</summary>
    public IDraftModel CreateModel(ModelConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (_models.TryGetValue(config.Id, out var cached) && cached.Version == config.Version && config.Id != Guid.Empty)
        {
            return cached.Model;
        }

        var model = Build(config);
        if (config.Id != Guid.Empty)
        {
            _models[config.Id] = (config.Version, model);
        }
        return model;
    }

    /// <summary>Encrypts a key for <see cref="ModelConfiguration.ProtectedApiKey"/>.</summary>
    public string ProtectApiKey(string plainKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(plainKey);
        return _protector.Protect(plainKey.Trim());
    }

    /// <summary>Whether a key is available for the configuration (never the key itself).</summary>
    public bool HasApiKey(ModelConfiguration config) => !string.IsNullOrWhiteSpace(ResolveApiKey(config));

    /// <summary>Problems that would stop the configuration from drafting, as messages an admin can act on.</summary>
    public IReadOnlyList<string> Validate(ModelConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(config.Name)) problems.Add("A name is required.");
        if (config.TokenBudget < 1000) problems.Add("The token budget must be at least 1,000 tokens.");
        if (config.Provider != ModelProvider.Offline && config.AuthMode == ModelAuthMode.None)
        {
            problems.Add("An Azure AI Foundry endpoint needs an API key or Microsoft Entra ID.");
        }

        var options = ToOptions(config, requireKey: false);
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        problems.AddRange(results
            .Where(r => !(r.MemberNames.Contains(nameof(ModelOptions.ApiKey)) && config.AuthMode == ModelAuthMode.ApiKey))
            .Select(r => ToAdminWording(r.ErrorMessage ?? "Invalid setting.")));
        if (config.Provider != ModelProvider.Offline && config.AuthMode == ModelAuthMode.ApiKey && !HasApiKey(config))
        {
            problems.Add(config.ApiKeyConfigurationKey is { Length: > 0 } name
                ? $"No API key is set in configuration entry \"{name}\"."
                : "An API key is required.");
        }
        return problems;
    }

    /// <summary>A minimal call to the endpoint: latency and reported model id, or the error message.</summary>
    public async Task<ModelConnectionTestResult> TestConnectionAsync(ModelConfiguration config, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(config);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var problems = Validate(config);
            if (problems.Count > 0)
            {
                return new ModelConnectionTestResult(false, TimeSpan.Zero, null, string.Join(" ", problems));
            }

            // One attempt: the test says at once what failed instead of retrying a dead endpoint. A deployment that
            // answered 429 is not called (nor waited for) until it reopens: the test says so at once.
            var model = Build(config, retries: false);
            using var built = model as IDisposable;
            if (model is not ChatClientDraftModel ai) return new ModelConnectionTestResult(true, Stopwatch.GetElapsedTime(started), model.ModelId, null);
            if (ai.Pace.OpenAt is var reopens && reopens > time.GetUtcNow())
            {
                return new ModelConnectionTestResult(false, TimeSpan.Zero, null, string.Create(CultureInfo.InvariantCulture,
                    $"The AI service is rate-limiting this deployment (it answered HTTP 429, too many requests), so it is not called until it reopens in {Math.Ceiling((reopens - time.GetUtcNow()).TotalSeconds):0} seconds (at {reopens:HH:mm:ss} UTC). Test again after that."));
            }
            return new ModelConnectionTestResult(true, Stopwatch.GetElapsedTime(started), await ai.PingAsync(ct), null);
        }
        catch (DraftModelException ex)
        {
            return new ModelConnectionTestResult(false, Stopwatch.GetElapsedTime(started), null, ex.Message);
        }
        catch (AuthenticationFailedException) // incl. CredentialUnavailableException, when thrown outside a model call
        {
            return new ModelConnectionTestResult(false, Stopwatch.GetElapsedTime(started), null,
                "No Microsoft Entra ID token could be obtained for the model endpoint. Check the managed identity (or sign-in) of this deployment and its role on the Foundry resource.");
        }
        catch (InvalidOperationException ex) // incl. CryptographicFailure
        {
            return new ModelConnectionTestResult(false, Stopwatch.GetElapsedTime(started), null, ex.Message);
        }
        catch (UriFormatException)
        {
            return new ModelConnectionTestResult(false, Stopwatch.GetElapsedTime(started), null, "The endpoint is not a valid URL.");
        }
    }

    /// <summary>
    /// Start-up seeding: with no configuration stored yet, creates the offline drafter and — when the "Model"
    /// configuration section names an Azure AI Foundry endpoint — a "Configured endpoint" row whose key stays in
    /// configuration (referenced, not copied). The configured provider becomes the active one.
    /// </summary>
    public static async Task SeedAsync(AppDbContext db, ModelOptions bootstrap, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(bootstrap);
        if (await db.ModelConfigurations.AnyAsync(ct))
        {
            return;
        }

        var now = time.GetUtcNow();
        var azure = bootstrap.Provider != ModelProvider.Offline;
        db.ModelConfigurations.Add(new ModelConfiguration
        {
            Name = OfflineConfigurationName,
            Provider = ModelProvider.Offline,
            AuthMode = ModelAuthMode.None,
            Temperature = 0,
            MaxTokens = bootstrap.MaxTokens,
            TokenBudget = bootstrap.TokenBudget,
            Tokenizer = bootstrap.Tokenizer,
            IsActive = !azure,
        });
        if (azure)
        {
            db.ModelConfigurations.Add(new ModelConfiguration
            {
                Name = ConfiguredEndpointName,
                Provider = bootstrap.Provider,
                Endpoint = bootstrap.Endpoint?.ToString(),
                Deployment = bootstrap.Deployment,
                AuthMode = bootstrap.UseEntraId ? ModelAuthMode.EntraId : ModelAuthMode.ApiKey,
                ApiKeyConfigurationKey = bootstrap.UseEntraId ? null : $"{ModelOptions.SectionName}:{nameof(ModelOptions.ApiKey)}",
                EntraIdScope = bootstrap.UseEntraId ? bootstrap.EntraIdScope : null,
                Temperature = bootstrap.Temperature,
                MaxTokens = bootstrap.MaxTokens,
                TopP = bootstrap.TopP,
                Seed = bootstrap.Seed,
                TokenBudget = bootstrap.TokenBudget,
                Tokenizer = bootstrap.Tokenizer,
                TimeoutSeconds = bootstrap.TimeoutSeconds,
                MaxRetries = bootstrap.MaxRetries,
                IsActive = true,
            });
        }
        foreach (var seeded in db.ChangeTracker.Entries<ModelConfiguration>().Where(e => e.State == EntityState.Added).Select(e => e.Entity))
        {
            seeded.CreatedAt = seeded.UpdatedAt = now;
            seeded.CreatedByName = seeded.UpdatedByName = "system (seed)";
        }
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The drafter for a configuration — built only here, by <see cref="DraftModelFactory"/>.</summary>
    private IDraftModel Build(ModelConfiguration config, bool retries = true)
    {
        var options = ToOptions(config, requireKey: true);
        if (!retries) options.MaxRetries = 0;
        return factory.Create(options, config.Provider != ModelProvider.Offline && config.AuthMode == ModelAuthMode.EntraId ? entraCredential : null);
    }


    private ModelOptions ToOptions(ModelConfiguration config, bool requireKey)
    {
        var key = config.AuthMode == ModelAuthMode.ApiKey ? ResolveApiKey(config) : null;
        if (requireKey && config.Provider != ModelProvider.Offline && config.AuthMode == ModelAuthMode.ApiKey
            && string.IsNullOrWhiteSpace(key))
        {
            throw new InvalidOperationException(
                $"Model configuration \"{config.Name}\" has no API key available. An admin must set one in Admin › Model configurations.");
        }

        return new ModelOptions
        {
            Provider = config.Provider,
            Endpoint = Uri.TryCreate(config.Endpoint, UriKind.Absolute, out var endpoint) ? endpoint : null,
            Deployment = config.Deployment,
            ApiKey = key,
            UseEntraId = config.AuthMode == ModelAuthMode.EntraId,
            EntraIdScope = string.IsNullOrWhiteSpace(config.EntraIdScope) ? ModelOptions.DefaultEntraIdScope : config.EntraIdScope,
            Temperature = config.Temperature,
            MaxTokens = config.MaxTokens,
            TopP = config.TopP,
            Seed = config.Seed,
            TimeoutSeconds = config.TimeoutSeconds,
            MaxRetries = config.MaxRetries,
            OfflineChunkDelayMilliseconds = bootstrap.Value.OfflineChunkDelayMilliseconds,
            TotalTimeoutSeconds = bootstrap.Value.TotalTimeoutSeconds,
            FirstTokenTimeoutSeconds = bootstrap.Value.FirstTokenTimeoutSeconds,
            RecordContentInTelemetry = bootstrap.Value.RecordContentInTelemetry,
        };
    }

    private string? ResolveApiKey(ModelConfiguration config)
    {
        if (config.AuthMode != ModelAuthMode.ApiKey) return null;
        if (!string.IsNullOrEmpty(config.ProtectedApiKey))
        {
            try
            {
                return _protector.Unprotect(config.ProtectedApiKey);
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                // Keys rotated away or another deployment's key ring: treat as missing (the admin re-enters it).
                throw new CryptographicFailure(
                    $"The stored API key of \"{config.Name}\" cannot be decrypted with this deployment's Data Protection keys. Enter the key again.");
            }
        }
        return config.ApiKeyConfigurationKey is { Length: > 0 } name ? configuration[name] : null;
    }

    private static string ToAdminWording(string message) => message
        .Replace("Model:Endpoint", "The endpoint", StringComparison.Ordinal)
        .Replace("Model:Deployment", "The deployment", StringComparison.Ordinal)
        .Replace("Model:Provider is an AI provider", "the provider is an AI model", StringComparison.Ordinal);

    /// <summary>The stored key exists but cannot be decrypted here.</summary>
    public sealed class CryptographicFailure(string message) : InvalidOperationException(message);
}

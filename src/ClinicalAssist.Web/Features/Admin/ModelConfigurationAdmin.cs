using System.Globalization;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Admin;

/// <summary>Create, edit, activate and test model configurations; every change is audited (never with the key).</summary>
public sealed class ModelConfigurationAdmin(
    IDbContextFactory<AppDbContext> dbFactory, ModelConfigurationService models, ModelCardStore cards, AuditLog audit,
    TimeProvider time, ILogger<ModelConfigurationAdmin> logger)
{
    public static readonly IReadOnlyList<string> Tokenizers = ["o200k_base", "cl100k_base"];

    public async Task<IReadOnlyList<ModelConfigurationRow>> ListAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var configs = await db.ModelConfigurations.AsNoTracking().OrderByDescending(c => c.IsActive).ThenBy(c => c.Name).ToListAsync(ct);
        var complete = await cards.CompletenessAsync(configs.Select(c => c.Id), ct);
        return configs.Select(c => new ModelConfigurationRow(c, KeyState(c), complete[c.Id])).ToList();
    }

    public async Task<ModelConfiguration?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ModelConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct);
    }

    /// <summary>Where the key comes from, in words; the key itself never leaves <see cref="ModelConfigurationService"/>.</summary>
    public string KeyState(ModelConfiguration c)
    {
        if (c.AuthMode == ModelAuthMode.EntraId) return "Microsoft Entra ID (no key)";
        if (c.AuthMode == ModelAuthMode.None) return "none";
        try
        {
            var available = models.HasApiKey(c);
            if (!string.IsNullOrEmpty(c.ProtectedApiKey)) return available ? "stored encrypted (never shown)" : "stored, unreadable: enter it again";
            if (c.ApiKeyConfigurationKey is { Length: > 0 } name) return available ? $"from configuration entry {name}" : $"configuration entry {name} is not set";
            return "not set";
        }
        catch (InvalidOperationException)
        {
            return "stored, cannot be decrypted here: enter it again";
        }
    }

    /// <summary>Creates (<paramref name="id"/> null) or updates a configuration. A configuration that would not work
    /// (bad endpoint, no key…) is refused with the reasons; a configuration changed meanwhile is not overwritten.</summary>
    public async Task<ModelConfigurationSaveResult> SaveAsync(Guid? id, ModelConfigurationInput input, Actor actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, Roles.Admin,
                id is null ? AuditActions.ModelConfigurationCreated : AuditActions.ModelConfigurationUpdated, time.GetUtcNow(), ct) is { } refusal)
        {
            return new(false, refusal);
        }
        ModelConfiguration config;
        var now = time.GetUtcNow();
        var name = input.Name?.Trim() ?? "";
        if (id is { } existingId)
        {
            if (await db.ModelConfigurations.SingleOrDefaultAsync(c => c.Id == existingId, ct) is not { } found)
            {
                return new(false, "This configuration no longer exists.");
            }
            if (input.LoadedVersion != found.Version)
            {
                return new(false, "Someone else changed this configuration meanwhile. Reload it; your changes were not saved.");
            }
            config = found;
        }
        else
        {
            config = new ModelConfiguration { Id = Guid.NewGuid(), Name = name, CreatedAt = now, CreatedByName = actor.Name };
            db.ModelConfigurations.Add(config);
        }

        if (await db.ModelConfigurations.AnyAsync(c => c.Name == name && c.Id != config.Id, ct))
        {
            return new(false, $"A configuration named \"{name}\" already exists.");
        }

        var keyChange = Apply(config, input, name);
        var problems = models.Validate(config);
        if (problems.Count > 0)
        {
            return new(false, string.Join(" ", problems));
        }
        config.UpdatedAt = now;
        config.UpdatedByName = actor.Name;

        var created = id is null;
        db.AuditEvents.Add(audit.Create(created ? AuditActions.ModelConfigurationCreated : AuditActions.ModelConfigurationUpdated, actor,
            details: Describe(config) + " key=" + keyChange));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new(false, "Someone else changed this configuration meanwhile. Reload it; your changes were not saved.");
        }
        catch (DbUpdateException ex)
        {
            logger.LogWarning(ex, "Model configuration {ConfigurationId} could not be saved.", config.Id);
            return new(false, "The configuration could not be saved (is the name already used?).");
        }
        input.NewApiKey = null;
        input.LoadedVersion = config.Version;
        logger.LogInformation("Model configuration {ConfigurationId} {Change} by {ActorId}.", config.Id, created ? "created" : "updated", actor.Id);
        return new(true, created ? $"Configuration \"{name}\" created." : $"Configuration \"{name}\" saved.", config.Id);
    }

    /// <summary>Makes one configuration the active one and every other inactive, in one transaction; a concurrent
    /// activation by another admin makes this one fail (concurrency tokens) rather than leave two active.</summary>
    public async Task<ModelConfigurationSaveResult> ActivateAsync(Guid id, Actor actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, Roles.Admin, AuditActions.ModelConfigurationActivated, time.GetUtcNow(), ct) is { } refusal)
        {
            return new(false, refusal);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await db.ModelConfigurations.SingleOrDefaultAsync(c => c.Id == id, ct) is not { } target)
        {
            return new(false, "This configuration no longer exists.");
        }
        if (target.IsActive) return new(true, $"\"{target.Name}\" is already active.", id);
        var problems = models.Validate(target);
        if (problems.Count > 0)
        {
            return new(false, "It cannot be activated: " + string.Join(" ", problems));
        }

        var previous = await db.ModelConfigurations.Where(c => c.IsActive).ToListAsync(ct);
        var now = time.GetUtcNow();
        foreach (var p in previous)
        {
            p.IsActive = false;
            p.UpdatedAt = now;
            p.UpdatedByName = actor.Name;
        }
        target.IsActive = true;
        target.UpdatedAt = now;
        target.UpdatedByName = actor.Name;
        db.AuditEvents.Add(audit.Create(AuditActions.ModelConfigurationActivated, actor,
            details: $"configuration={target.Id} name={target.Name} previous={string.Join('|', previous.Select(p => p.Id))}"));
        try
        {
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new(false, "Another admin changed the configurations meanwhile. Reload and try again; nothing was changed.");
        }
        logger.LogInformation("Model configuration {ConfigurationId} activated by {ActorId}.", target.Id, actor.Id);
        return new(true, $"\"{target.Name}\" is now active: new drafts use it.", id);
    }

    /// <summary>Runs the minimal call for a stored configuration and records the outcome (latency, reported model id
    /// or the error) in the audit trail.</summary>
    public async Task<ModelConnectionTestResult> TestAsync(Guid id, Actor actor, CancellationToken ct)
    {
        var config = await GetAsync(id, ct);
        if (config is null) return new ModelConnectionTestResult(false, TimeSpan.Zero, null, "This configuration no longer exists.");
        ModelConnectionTestResult result;
        try
        {
            result = await models.TestConnectionAsync(config, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Connection test of model configuration {ConfigurationId} failed unexpectedly.", id);
            result = new ModelConnectionTestResult(false, TimeSpan.Zero, null,
                "The test could not run because of an unexpected error in the application (details are in the server log). Check the endpoint, deployment and credentials, then try again.");
        }
        await audit.WriteAsync(AuditActions.ModelConfigurationTested, actor, outcome: result.Success ? "success" : "failure",
            details: string.Create(CultureInfo.InvariantCulture,
                $"configuration={config.Id} latency_ms={result.Latency.TotalMilliseconds:0} reported_model={result.ReportedModelId} error={result.Error}"),
            cancellationToken: ct);
        return result;
    }

    private string Apply(ModelConfiguration config, ModelConfigurationInput input, string name)
    {
        config.Name = name;
        config.Provider = input.Provider;
        var offline = input.Provider == ModelProvider.Offline;
        config.Endpoint = offline ? null : input.Endpoint?.Trim();
        config.Deployment = offline ? null : input.Deployment?.Trim();
        config.AuthMode = offline ? ModelAuthMode.None : input.AuthMode;
        config.EntraIdScope = config.AuthMode == ModelAuthMode.EntraId ? (string.IsNullOrWhiteSpace(input.EntraIdScope) ? null : input.EntraIdScope.Trim()) : null;
        config.Temperature = input.Temperature;
        config.MaxTokens = input.MaxTokens;
        config.TopP = input.TopP;
        config.Seed = input.Seed;
        config.TokenBudget = input.TokenBudget;
        config.Tokenizer = string.IsNullOrWhiteSpace(input.Tokenizer) ? "o200k_base" : input.Tokenizer.Trim();
        config.TimeoutSeconds = input.TimeoutSeconds;
        config.MaxRetries = input.MaxRetries;

        if (config.AuthMode != ModelAuthMode.ApiKey)
        {
            var had = config.ProtectedApiKey is not null || config.ApiKeyConfigurationKey is not null;
            config.ProtectedApiKey = null;
            config.ApiKeyConfigurationKey = null;
            return had ? "removed" : "none";
        }
        if (!string.IsNullOrWhiteSpace(input.NewApiKey))
        {
            config.ProtectedApiKey = models.ProtectApiKey(input.NewApiKey);
            config.ApiKeyConfigurationKey = null;
            return "replaced (stored encrypted)";
        }
        var reference = string.IsNullOrWhiteSpace(input.ApiKeyConfigurationKey) ? null : input.ApiKeyConfigurationKey.Trim();
        if (reference is not null && reference != config.ApiKeyConfigurationKey)
        {
            config.ApiKeyConfigurationKey = reference;
            config.ProtectedApiKey = null;
            return "referenced from configuration " + reference;
        }
        return "unchanged";
    }

    /// <summary>Scheme, host and path only: a query string could carry a credential.</summary>
    private static string? EndpointForLog(string? endpoint) =>
        Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Path) : endpoint is null ? null : "(invalid)";

    private static string Describe(ModelConfiguration c) => string.Create(CultureInfo.InvariantCulture,
        $"configuration={c.Id} name={c.Name} provider={c.Provider} endpoint={EndpointForLog(c.Endpoint)} deployment={c.Deployment} auth={c.AuthMode} " +
        $"temperature={c.Temperature} max_tokens={c.MaxTokens} top_p={c.TopP} seed={c.Seed} token_budget={c.TokenBudget} tokenizer={c.Tokenizer} timeout_s={c.TimeoutSeconds}");
}

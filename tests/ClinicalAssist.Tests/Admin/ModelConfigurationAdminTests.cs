using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Drafting;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Tests.Admin;

public sealed class ModelConfigurationAdminTests : IAsyncLifetime
{
    private const string SecretKey = "sk-admin-secret-0123456789abcdef";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly Actor Admin = new("admin-1", "Admin One");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private readonly CapturingLoggerProvider _logs = new();
    private TestDatabase _db = null!;
    private ILoggerFactory _loggerFactory = null!;
    private ModelConfigurationAdmin _admin = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _loggerFactory = LoggerFactory.Create(b => b.AddProvider(_logs).SetMinimumLevel(LogLevel.Trace));
        _admin = Create(_db, _clock, _loggerFactory);
        await using var ctx = _db.CreateDbContext();
        await ModelConfigurationService.SeedAsync(ctx, new ModelOptions(), _clock, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _loggerFactory.Dispose();
        await _db.DisposeAsync();
    }

    internal static ModelConfigurationAdmin Create(TestDatabase db, TimeProvider clock, ILoggerFactory loggers) =>
        TestHost.Create(db, time: clock, settings: new Dictionary<string, string?> { ["Vault:ModelKey"] = "from-vault" }, configure: s =>
        {
            s.Replace(ServiceDescriptor.Singleton(loggers));
            s.Replace(ServiceDescriptor.Singleton(ClinicalAssist.Tests.Drafting.TestModels.Factory(logs: loggers)));
        }).Get<ModelConfigurationAdmin>();

    internal static ModelConfigurationInput Foundry(Uri endpoint, string name = "Foundry GPT-4o") => new()
    {
        Name = name, Provider = ModelProvider.AzureAIInference, Endpoint = endpoint.ToString(), Deployment = "gpt-4o",
        AuthMode = ModelAuthMode.ApiKey, NewApiKey = SecretKey, Temperature = 0.2f, MaxTokens = 900, TopP = 0.9f, Seed = 7,
        TokenBudget = 8000, Tokenizer = "cl100k_base", TimeoutSeconds = 5, MaxRetries = 0,
    };

    internal static async Task<FakeChatCompletionsServer> StartModelAsync(string reportedModel) =>
        await FakeChatCompletionsServer.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$$"""
                {"id":"c1","object":"chat.completion","created":1732435200,"model":"{{{reportedModel}}}",
                 "choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"OK"}}],
                 "usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}
                """);
        });

    private async Task<List<AuditEvent>> AuditAsync()
    {
        await using var db = _db.CreateDbContext();
        return await db.AuditEvents.OrderBy(a => a.Id).ToListAsync(Ct);
    }

    [Fact]
    public async Task Creating_stores_every_parameter_and_the_key_only_encrypted_and_audits_without_it()
    {
        var input = Foundry(new Uri("https://example.services.ai.azure.com/models"));

        var result = await _admin.SaveAsync(null, input, Admin, Ct);

        Assert.True(result.Succeeded, result.Message);
        Assert.Null(input.NewApiKey);
        var saved = (await _admin.GetAsync(result.Id!.Value, Ct))!;
        Assert.Equal(("gpt-4o", ModelAuthMode.ApiKey, 0.2f, 900, 0.9f, 7L, 8000, "cl100k_base", 5),
            (saved.Deployment, saved.AuthMode, saved.Temperature, saved.MaxTokens, saved.TopP!.Value, saved.Seed!.Value, saved.TokenBudget, saved.Tokenizer, saved.TimeoutSeconds));
        Assert.False(saved.IsActive);
        Assert.NotNull(saved.ProtectedApiKey);
        Assert.DoesNotContain(SecretKey, saved.ProtectedApiKey, StringComparison.Ordinal);
        Assert.Equal("stored encrypted (never shown)", _admin.KeyState(saved));
        var audit = Assert.Single(await AuditAsync());
        Assert.Equal(AuditActions.ModelConfigurationCreated, audit.Action);
        Assert.Contains("key=replaced (stored encrypted)", audit.Details);
        Assert.DoesNotContain(SecretKey, audit.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Editing_without_a_new_key_keeps_the_stored_one_and_a_reference_replaces_it()
    {
        var created = await _admin.SaveAsync(null, Foundry(new Uri("https://example.services.ai.azure.com/models")), Admin, Ct);
        var config = (await _admin.GetAsync(created.Id!.Value, Ct))!;
        var protectedKey = config.ProtectedApiKey;

        var edit = ModelConfigurationInput.From(config);
        Assert.Null(edit.NewApiKey);
        edit.MaxTokens = 1500;
        Assert.True((await _admin.SaveAsync(config.Id, edit, Admin, Ct)).Succeeded);
        config = (await _admin.GetAsync(config.Id, Ct))!;
        Assert.Equal(1500, config.MaxTokens);
        Assert.Equal(protectedKey, config.ProtectedApiKey);

        edit = ModelConfigurationInput.From(config);
        edit.ApiKeyConfigurationKey = "Vault:ModelKey";
        Assert.True((await _admin.SaveAsync(config.Id, edit, Admin, Ct)).Succeeded);
        config = (await _admin.GetAsync(config.Id, Ct))!;
        Assert.Null(config.ProtectedApiKey);
        Assert.Equal("from configuration entry Vault:ModelKey", _admin.KeyState(config));
    }

    [Fact]
    public async Task A_stale_form_or_an_unusable_configuration_is_refused_and_nothing_changes()
    {
        var created = await _admin.SaveAsync(null, Foundry(new Uri("https://example.services.ai.azure.com/models")), Admin, Ct);
        var config = (await _admin.GetAsync(created.Id!.Value, Ct))!;
        var first = ModelConfigurationInput.From(config);
        var second = ModelConfigurationInput.From(config);
        first.MaxTokens = 1000;
        Assert.True((await _admin.SaveAsync(config.Id, first, Admin, Ct)).Succeeded);

        second.MaxTokens = 2000;
        var stale = await _admin.SaveAsync(config.Id, second, Admin, Ct);
        Assert.False(stale.Succeeded);
        Assert.Contains("changed this configuration meanwhile", stale.Message);
        Assert.Equal(1000, (await _admin.GetAsync(config.Id, Ct))!.MaxTokens);

        var noKey = Foundry(new Uri("https://example.services.ai.azure.com/models"), "No key");
        noKey.NewApiKey = null;
        Assert.False((await _admin.SaveAsync(null, noKey, Admin, Ct)).Succeeded);
        var plainHttp = Foundry(new Uri("http://example.com/models"), "Plain http");
        Assert.False((await _admin.SaveAsync(null, plainHttp, Admin, Ct)).Succeeded);
        var duplicate = Foundry(new Uri("https://example.services.ai.azure.com/models"));
        Assert.Contains("already exists", (await _admin.SaveAsync(null, duplicate, Admin, Ct)).Message);
        Assert.Equal(2, (await _admin.ListAsync(Ct)).Count); // the seeded offline drafter and the one created
    }

    [Fact]
    public async Task Activating_one_configuration_deactivates_the_other_in_one_step_and_is_audited()
    {
        var rows = await _admin.ListAsync(Ct);
        var offline = Assert.Single(rows).Configuration;
        Assert.True(offline.IsActive);
        var created = await _admin.SaveAsync(null, Foundry(new Uri("https://example.services.ai.azure.com/models")), Admin, Ct);

        var result = await _admin.ActivateAsync(created.Id!.Value, Admin, Ct);

        Assert.True(result.Succeeded, result.Message);
        rows = await _admin.ListAsync(Ct);
        Assert.Equal([created.Id.Value], rows.Where(r => r.Configuration.IsActive).Select(r => r.Configuration.Id));
        Assert.False(rows.Single(r => r.Configuration.Id == offline.Id).Configuration.IsActive);
        var audit = (await AuditAsync()).Last();
        Assert.Equal(AuditActions.ModelConfigurationActivated, audit.Action);
        Assert.Contains($"previous={offline.Id}", audit.Details);

        // Back again: still exactly one active.
        Assert.True((await _admin.ActivateAsync(offline.Id, Admin, Ct)).Succeeded);
        Assert.Single(await _admin.ListAsync(Ct), r => r.Configuration.IsActive);
    }

    [Fact]
    public async Task Test_connection_shows_latency_and_reported_model_and_audits_the_outcome()
    {
        await using var server = await StartModelAsync("gpt-4o-2024-11-20");
        var created = await _admin.SaveAsync(null, Foundry(server.Endpoint), Admin, Ct);

        var result = await _admin.TestAsync(created.Id!.Value, Admin, Ct);

        Assert.True(result.Success, result.Error);
        Assert.Equal("gpt-4o-2024-11-20", result.ReportedModelId);
        Assert.Equal(SecretKey, Assert.Single(server.Requests).ApiKey);
        var audit = (await AuditAsync()).Last();
        Assert.Equal(AuditActions.ModelConfigurationTested, audit.Action);
        Assert.Equal("success", audit.Outcome);
        Assert.Contains("reported_model=gpt-4o-2024-11-20", audit.Details);
    }

    [Fact]
    public async Task The_key_never_reaches_a_log_or_the_audit_trail_even_when_the_endpoint_refuses_it()
    {
        await using var refusing = await FakeChatCompletionsServer.StartAsync((context, _) =>
            FakeChatCompletionsServer.WriteErrorAsync(context, 401, "Unauthorized", "Access denied due to invalid subscription key."));
        var created = await _admin.SaveAsync(null, Foundry(refusing.Endpoint), Admin, Ct);
        var failed = await _admin.TestAsync(created.Id!.Value, Admin, Ct);
        Assert.False(failed.Success);
        Assert.False(string.IsNullOrWhiteSpace(failed.Error));
        var edit = ModelConfigurationInput.From((await _admin.GetAsync(created.Id.Value, Ct))!);
        edit.Endpoint = "http://127.0.0.1:9/models";
        edit.NewApiKey = SecretKey;
        Assert.True((await _admin.SaveAsync(created.Id.Value, edit, Admin, Ct)).Succeeded);
        Assert.False((await _admin.TestAsync(created.Id.Value, Admin, Ct)).Success);

        Assert.NotEmpty(_logs.Lines);
        Assert.All(_logs.Lines, line => Assert.DoesNotContain(SecretKey, line, StringComparison.Ordinal));
        Assert.All(await AuditAsync(), a => Assert.DoesNotContain(SecretKey, a.Details ?? "", StringComparison.Ordinal));
        Assert.DoesNotContain(SecretKey, failed.Error, StringComparison.Ordinal);
    }
}

using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Drafting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClinicalAssist.Tests.Drafting;

public sealed class ModelConfigurationServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    /// <summary>The service as the app registers it (AddDrafting via <see cref="TestHost"/>), with the drafter factory
    /// of the tests and, where given, another deployment's key ring or an Entra ID credential.</summary>
    private static ModelConfigurationService Service(TestDatabase db, IDataProtectionProvider? protection = null,
        IDictionary<string, string?>? settings = null, Azure.Core.TokenCredential? entraCredential = null, TimeProvider? time = null) =>
        TestHost.Create(db, time: time, settings: settings?.ToDictionary(), configure: s =>
        {
            s.Replace(ServiceDescriptor.Singleton(TestModels.Factory(time: time)));
            if (protection is not null) s.Replace(ServiceDescriptor.Singleton(protection));
            if (entraCredential is not null)
            {
                s.RemoveAllKeyed<Azure.Core.TokenCredential>(ModelConfigurationService.EntraCredentialKey);
                s.AddKeyedSingleton(ModelConfigurationService.EntraCredentialKey, entraCredential);
            }
        }).Get<ModelConfigurationService>();

    private static ModelConfiguration Azure(Uri endpoint, string name = "Foundry test") => new()
    {
        Id = Guid.NewGuid(),
        Name = name,
        Provider = ModelProvider.AzureAIInference,
        Endpoint = endpoint.ToString(),
        Deployment = "gpt-4o",
        AuthMode = ModelAuthMode.ApiKey,
        TimeoutSeconds = 5,
        MaxRetries = 0,
    };

    [Fact]
    public async Task Seeding_an_offline_default_creates_one_active_offline_configuration_once()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using (var ctx = db.CreateDbContext())
        {
            await ModelConfigurationService.SeedAsync(ctx, new ModelOptions(), new FakeTimeProvider(Now), Ct);
            await ModelConfigurationService.SeedAsync(ctx, new ModelOptions(), new FakeTimeProvider(Now), Ct);
        }

        await using var check = db.CreateDbContext();
        var rows = await check.ModelConfigurations.ToListAsync(Ct);
        var only = Assert.Single(rows);
        Assert.Equal(ModelProvider.Offline, only.Provider);
        Assert.True(only.IsActive);
        var active = await Service(db).GetActiveAsync(Ct);
        Assert.Equal(only.Id, active.Id);
        Assert.IsType<OfflineDrafter>(Service(db).CreateModel(active));
    }

    [Fact]
    public async Task Seeding_from_an_Azure_configuration_references_the_key_and_never_copies_it()
    {
        await using var db = await TestDatabase.CreateAsync();
        var bootstrap = new ModelOptions
        {
            Provider = ModelProvider.AzureAIInference,
            Endpoint = new Uri("https://example.services.ai.azure.com/models"),
            Deployment = "gpt-4o",
            ApiKey = "sk-secret-bootstrap-key-123",
            TopP = 0.9f,
            Seed = 42,
        };
        await using (var ctx = db.CreateDbContext())
        {
            await ModelConfigurationService.SeedAsync(ctx, bootstrap, new FakeTimeProvider(Now), Ct);
        }

        await using var check = db.CreateDbContext();
        var rows = await check.ModelConfigurations.OrderBy(c => c.Name).ToListAsync(Ct);
        Assert.Equal(2, rows.Count);
        var configured = rows.Single(r => r.Provider == ModelProvider.AzureAIInference);
        Assert.True(configured.IsActive);
        Assert.False(rows.Single(r => r.Provider == ModelProvider.Offline).IsActive);
        Assert.Equal("Model:ApiKey", configured.ApiKeyConfigurationKey);
        Assert.Null(configured.ProtectedApiKey);
        Assert.Equal(42, configured.Seed);
        Assert.DoesNotContain("sk-secret-bootstrap-key-123", JsonSerializer.Serialize(rows));

        var service = Service(db, settings: new Dictionary<string, string?> { ["Model:ApiKey"] = "sk-secret-bootstrap-key-123" });
        Assert.True(service.HasApiKey(configured));
        Assert.Empty(service.Validate(configured));
        Assert.False(Service(db).HasApiKey(configured));
        Assert.Contains(Service(db).Validate(configured), p => p.Contains("Model:ApiKey", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_protected_key_is_encrypted_at_rest_and_unusable_with_another_key_ring()
    {
        await using var db = await TestDatabase.CreateAsync();
        var protection = new EphemeralDataProtectionProvider();
        var service = Service(db, protection);
        var config = Azure(new Uri("https://example.services.ai.azure.com/models"));
        config.ProtectedApiKey = service.ProtectApiKey("  sk-plain-key-456  ");

        Assert.DoesNotContain("sk-plain-key-456", config.ProtectedApiKey, StringComparison.Ordinal);
        Assert.True(service.HasApiKey(config));
        Assert.Empty(service.Validate(config));

        var otherDeployment = Service(db, new EphemeralDataProtectionProvider());
        var result = await otherDeployment.TestConnectionAsync(config, Ct);
        Assert.False(result.Success);
        Assert.Contains("cannot be decrypted", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validation_names_what_an_admin_must_fix()
    {
        await using var db = await TestDatabase.CreateAsync();
        var service = Service(db);
        var config = new ModelConfiguration
        {
            Name = "",
            Provider = ModelProvider.AzureAIInference,
            Endpoint = "http://not-loopback.example/models",
            AuthMode = ModelAuthMode.None,
            TokenBudget = 10,
        };

        var problems = service.Validate(config);

        Assert.Contains("A name is required.", problems);
        Assert.Contains(problems, p => p.Contains("token budget", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("API key or Microsoft Entra ID", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("https", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("The deployment", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Test_connection_reports_latency_and_the_model_id_the_endpoint_returns()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync(async (context, _) =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""
                {"id":"c1","object":"chat.completion","created":1732435200,"model":"gpt-4o-2024-11-20",
                 "choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"OK"}}],
                 "usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}
                """, Ct);
        });
        await using var db = await TestDatabase.CreateAsync();
        var service = Service(db);
        var config = Azure(server.Endpoint);
        config.ProtectedApiKey = service.ProtectApiKey("sk-test-789");

        var result = await service.TestConnectionAsync(config, Ct);

        Assert.True(result.Success, result.Error);
        Assert.Equal("gpt-4o-2024-11-20", result.ReportedModelId);
        Assert.True(result.Latency > TimeSpan.Zero);
        var request = Assert.Single(server.Requests);
        Assert.Equal("sk-test-789", request.ApiKey);
        Assert.Equal("gpt-4o", request.Body["model"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(ModelProvider.FoundryOpenAI, 401, "The AI service refused the application's credentials. Ask an administrator to check the model configuration; meanwhile use the offline draft.")]
    [InlineData(ModelProvider.AzureAIInference, 401, "The AI service refused the application's credentials. Ask an administrator to check the model configuration; meanwhile use the offline draft.")]
    [InlineData(ModelProvider.FoundryOpenAI, 404, "The configured AI model deployment was not found. Ask an administrator to check the model configuration; meanwhile use the offline draft.")]
    [InlineData(ModelProvider.AzureAIInference, 404, "The configured AI model deployment was not found. Ask an administrator to check the model configuration; meanwhile use the offline draft.")]
    public async Task Test_connection_reports_the_endpoints_refusal_in_plain_words(ModelProvider provider, int status, string expected)
    {
        await using var server = await FakeChatCompletionsServer.StartAsync((context, _) =>
                FakeChatCompletionsServer.WriteErrorAsync(context, status, "Refused", "Access denied due to invalid subscription key wrong-key."),
            provider == ModelProvider.FoundryOpenAI ? FakeChatCompletionsServer.OpenAIv1Path : FakeChatCompletionsServer.BasePath);
        await using var db = await TestDatabase.CreateAsync();
        var service = Service(db);
        var config = Azure(server.Endpoint);
        config.Provider = provider;
        config.ProtectedApiKey = service.ProtectApiKey("wrong-key");

        var result = await service.TestConnectionAsync(config, Ct);

        Assert.False(result.Success);
        Assert.Null(result.ReportedModelId);
        Assert.Equal(expected, result.Error);
    }

    [Fact]
    public async Task The_drafter_is_reused_until_the_configuration_changes()
    {
        await using var db = await TestDatabase.CreateAsync();
        var service = Service(db);
        var config = Azure(new Uri("http://127.0.0.1:9/models"));
        config.ProtectedApiKey = service.ProtectApiKey("k");
        config.Version = Guid.NewGuid();

        var first = service.CreateModel(config);
        Assert.Same(first, service.CreateModel(config));
        config.Version = Guid.NewGuid();
        Assert.NotSame(first, service.CreateModel(config));
        Assert.Equal("gpt-4o", first.ModelId);
    }

    [Fact]
    public async Task Test_connection_to_a_Foundry_OpenAI_v1_endpoint_reports_the_model_it_returns()
    {
        await using var server = await FakeChatCompletionsServer.StartAsync(
            (context, _) => FakeChatCompletionsServer.WriteCompletionAsync(context, "OK", model: "gpt-4o-2024-11-20"), FakeChatCompletionsServer.OpenAIv1Path);
        await using var db = await TestDatabase.CreateAsync();
        var service = Service(db);
        var config = Azure(server.Endpoint);
        config.Provider = ModelProvider.FoundryOpenAI;
        config.ProtectedApiKey = service.ProtectApiKey("sk-test-789");

        var result = await service.TestConnectionAsync(config, Ct);

        Assert.True(result.Success, result.Error);
        Assert.Equal("gpt-4o-2024-11-20", result.ReportedModelId);
        var request = Assert.Single(server.Requests);
        Assert.Equal("/openai/v1/chat/completions", request.Path);
        Assert.Equal("Bearer sk-test-789", request.Authorization);
        Assert.Equal("gpt-4o", request.Body["model"]!.GetValue<string>());
    }

    [Theory]
    [InlineData(ModelProvider.FoundryOpenAI)]
    [InlineData(ModelProvider.AzureAIInference)]
    public async Task Test_connection_to_a_rate_limited_deployment_says_when_it_reopens_without_calling_or_waiting(ModelProvider provider)
    {
        var clock = new FakeTimeProvider(Now);
        await using var server = await FakeChatCompletionsServer.StartAsync((context, _) =>
                FakeChatCompletionsServer.WriteErrorAsync(context, 429, "RateLimitReached", "Rate limit reached.", new Dictionary<string, string> { ["retry-after"] = "42" }),
            provider == ModelProvider.FoundryOpenAI ? FakeChatCompletionsServer.OpenAIv1Path : FakeChatCompletionsServer.BasePath);
        await using var db = await TestDatabase.CreateAsync();
        var service = Service(db, time: clock);
        var config = Azure(server.Endpoint);
        config.Provider = provider;
        config.ProtectedApiKey = service.ProtectApiKey("k");

        // The endpoint answers 429 with Retry-After 42 s: the deployment's shared pace closes until 08:00:42.
        var first = await service.TestConnectionAsync(config, Ct);
        Assert.Equal("The AI service is busy (rate limit reached). Wait a minute and try again, or use the offline draft.", first.Error);

        // Two seconds later: no call, no wait (the fake clock would never end one), and the time it reopens.
        clock.Advance(TimeSpan.FromSeconds(2));
        var second = await service.TestConnectionAsync(config, Ct).WaitAsync(Patience.Short, Ct);
        Assert.False(second.Success);
        Assert.Equal("The AI service is rate-limiting this deployment (it answered HTTP 429, too many requests), so it is not called until it reopens in 40 seconds (at 08:00:42 UTC). Test again after that.", second.Error);
        Assert.Single(server.Requests);

        // Once it reopened, the test calls the endpoint again.
        clock.Advance(TimeSpan.FromSeconds(41));
        await service.TestConnectionAsync(config, Ct).WaitAsync(Patience.Short, Ct);
        Assert.Equal(2, server.Requests.Count);
    }

    [Theory]
    [InlineData(ModelProvider.FoundryOpenAI)]
    [InlineData(ModelProvider.AzureAIInference)]
    public async Task Test_connection_to_a_dead_endpoint_says_in_plain_words_that_it_could_not_be_reached_after_one_attempt(ModelProvider provider)
    {
        Uri endpoint;
        await using (var server = await FakeChatCompletionsServer.StartAsync((_, _) => Task.CompletedTask,
                         provider == ModelProvider.FoundryOpenAI ? FakeChatCompletionsServer.OpenAIv1Path : FakeChatCompletionsServer.BasePath))
        {
            endpoint = server.Endpoint; // nothing listens there once the server is gone
        }
        await using var db = await TestDatabase.CreateAsync();
        var service = Service(db);
        var config = Azure(endpoint);
        config.Provider = provider;
        config.MaxRetries = 3; // drafting retries; the test does not
        config.ProtectedApiKey = service.ProtectApiKey("k");

        var result = await service.TestConnectionAsync(config, Ct);

        Assert.False(result.Success);
        Assert.Equal("The AI service could not be reached. Check the network connection and try again, or use the offline draft.", result.Error);
        Assert.DoesNotContain("Exception", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ModelProvider.FoundryOpenAI)]
    [InlineData(ModelProvider.AzureAIInference)]
    public async Task Test_connection_without_an_Entra_ID_token_says_so_in_plain_words(ModelProvider provider)
    {
        await using var db = await TestDatabase.CreateAsync();
        var service = Service(db, entraCredential: new NoTokenCredential());
        var config = Azure(new Uri(provider == ModelProvider.FoundryOpenAI ? "https://foundry.invalid/openai/v1/" : "https://foundry.invalid/models"));
        config.Provider = provider;
        config.AuthMode = ModelAuthMode.EntraId;

        var result = await service.TestConnectionAsync(config, Ct);

        Assert.False(result.Success);
        Assert.Contains("could not obtain a Microsoft Entra ID token", result.Error, StringComparison.Ordinal);
    }

    private sealed class NoTokenCredential : Azure.Core.TokenCredential
    {
        public override Azure.Core.AccessToken GetToken(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new Azure.Identity.CredentialUnavailableException("DefaultAzureCredential failed to retrieve a token from the included credentials.");

        public override ValueTask<Azure.Core.AccessToken> GetTokenAsync(Azure.Core.TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            throw new Azure.Identity.CredentialUnavailableException("DefaultAzureCredential failed to retrieve a token from the included credentials.");
    }

    [Fact]
    public async Task Seeding_from_a_Foundry_OpenAI_configuration_makes_the_active_row_that_drafts_through_the_v1_client()
    {
        await using var db = await TestDatabase.CreateAsync();
        var bootstrap = new ModelOptions
        {
            Provider = ModelProvider.FoundryOpenAI,
            Endpoint = new Uri("https://example.openai.azure.com/openai/v1/"),
            Deployment = "gpt-4o-mini",
            UseEntraId = true,
        };
        await using (var ctx = db.CreateDbContext())
        {
            await ModelConfigurationService.SeedAsync(ctx, bootstrap, new FakeTimeProvider(Now), Ct);
        }

        var service = Service(db);
        var active = await service.GetActiveAsync(Ct);
        Assert.Equal((ModelProvider.FoundryOpenAI, ModelAuthMode.EntraId, ModelOptions.DefaultEntraIdScope), (active.Provider, active.AuthMode, active.EntraIdScope));
        Assert.Empty(service.Validate(active));
        var model = Assert.IsType<ChatClientDraftModel>(service.CreateModel(active));
        Assert.Equal(ModelProvider.FoundryOpenAI, model.Provider);
        Assert.NotNull(Microsoft.Extensions.AI.ChatClientExtensions.GetService<OpenAI.Chat.ChatClient>(model.Client));
    }
}

using System.Reflection;
using ClinicalAssist.Tests.Support;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Infrastructure;

/// <summary>The real composition root (Program.cs) on the embedded defaults: it starts, migrates, seeds,
/// and can resolve every service any component injects.</summary>
public sealed class CompositionTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("clinicalassist-host-").FullName;
    private WebApplicationFactory<Program> _factory = null!;

    public ValueTask InitializeAsync()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("ConnectionStrings:ClinicalAssist", $"Data Source={Path.Combine(_data, "host.db")}");
            b.UseSetting("DataProtection:KeysDirectory", Path.Combine(_data, "keys"));
            b.UseSetting("DemoUsers:Password", "Composition-test-1!");
            b.UseSetting("SignInRateLimit:PermitsPerMinute", "3");
        });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void Every_injected_service_of_every_component_resolves()
    {
        // Registration, not construction: some services (NavigationManager) only initialise inside a circuit.
        var isService = _factory.Services.GetRequiredService<IServiceProviderIsService>();
        var components = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && !t.IsAbstract);
        var missing = new List<string>();
        foreach (var component in components)
        {
            foreach (var property in component.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
                         .Where(p => p.GetCustomAttribute<InjectAttribute>() is not null))
            {
                if (!isService.IsService(property.PropertyType))
                {
                    missing.Add($"{component.Name}.{property.Name}: {property.PropertyType.Name}");
                }
            }
        }
        Assert.True(missing.Count == 0, "Not registered: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Sign_in_page_is_served_and_pages_require_sign_in()
    {
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var login = await client.GetAsync("/Account/Login", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, login.StatusCode);
        Assert.Equal("nosniff", login.Headers.GetValues("X-Content-Type-Options").Single());

        foreach (var page in new[] { "/", "/patients", "/review", "/admin", "/drafts/00000000-0000-0000-0000-000000000001" })
        {
            var response = await client.GetAsync(page, TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
            Assert.StartsWith("/Account/Login", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Health_live_and_ready_report_the_database_as_blocking_and_the_rest_as_information()
    {
        using var client = _factory.CreateClient();
        var live = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, live.StatusCode);

        var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
        using var json = System.Text.Json.JsonDocument.Parse(await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var checks = json.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", json.RootElement.GetProperty("status").GetString());
        Assert.True(checks.GetProperty("database").GetProperty("blocking").GetBoolean());
        Assert.False(checks.GetProperty("fhir").GetProperty("blocking").GetBoolean());
        Assert.Equal("Offline drafter: Offline rule-based draft — no AI model.", checks.GetProperty("model").GetProperty("description").GetString());
    }

    [Fact]
    public async Task Sign_in_posts_beyond_the_limit_are_refused_with_429_and_Retry_After()
    {
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var statuses = new List<System.Net.HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var form = new FormUrlEncodedContent([new("Input.Email", "x@y.z"), new("Input.Password", "wrong")]);
            var response = await client.PostAsync("/Account/Login", form, TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == System.Net.HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("60", response.Headers.GetValues("Retry-After").Single());
            }
        }
        Assert.Equal(3, statuses.Count(s => s != System.Net.HttpStatusCode.TooManyRequests));
        Assert.Equal(2, statuses.Count(s => s == System.Net.HttpStatusCode.TooManyRequests));

        // Pages other than the sign-in post are not limited.
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/Account/Login", TestContext.Current.CancellationToken)).StatusCode);
        }
    }
}

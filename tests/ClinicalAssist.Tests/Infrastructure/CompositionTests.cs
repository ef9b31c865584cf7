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
}

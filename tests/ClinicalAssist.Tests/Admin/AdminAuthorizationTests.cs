using System.Net;
using System.Reflection;
using System.Security.Claims;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClinicalAssist.Tests.Admin;

/// <summary>Only Admin reaches the admin pages and endpoints: checked on the attributes, on the real app's endpoint
/// metadata, and over HTTP with real sign-ins (demo users on the embedded default).</summary>
public sealed partial class AdminAuthorizationTests : IAsyncLifetime
{
    private const string Password = "Authorization-test-1!";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly string _data = Directory.CreateTempSubdirectory("clinicalassist-authz-").FullName;
    private readonly CapturingLoggerProvider _logs = new();
    private WebApplicationFactory<Program> _factory = null!;

    public ValueTask InitializeAsync()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("ConnectionStrings:ClinicalAssist", $"Data Source={Path.Combine(_data, "host.db")}");
            b.UseSetting("DataProtection:KeysDirectory", Path.Combine(_data, "keys"));
            b.UseSetting("DemoUsers:Password", Password);
            b.ConfigureLogging(l => l.AddProvider(_logs));
        });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }

    private static readonly string[] AdminPaths = ["/admin", "/admin/users", "/admin/models", "/admin/quality", "/admin/audit"];

    [Fact]
    public void Every_admin_page_requires_the_Admin_policy()
    {
        var pages = typeof(Program).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(UserAdmin).Namespace && typeof(IComponent).IsAssignableFrom(t) && t.GetCustomAttributes<RouteAttribute>().Any())
            .ToList();
        Assert.Contains(typeof(UserAdmin), pages);
        Assert.Contains(typeof(ModelConfigurations), pages);
        Assert.Contains(typeof(ModelCardEditor), pages);
        Assert.Contains(typeof(QualityDashboard), pages);
        Assert.All(pages, p => Assert.Equal(Policies.Admin, Assert.Single(p.GetCustomAttributes<AuthorizeAttribute>()).Policy));
    }

    [Fact]
    public async Task Every_endpoint_under_admin_requires_the_Admin_policy_and_it_admits_only_the_Admin_role()
    {
        var endpoints = _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("admin", StringComparison.OrdinalIgnoreCase) == true)
            .ToList();
        Assert.Contains(endpoints, e => e.RoutePattern.RawText!.Contains("quality/export.csv", StringComparison.Ordinal));
        Assert.Contains(endpoints, e => e.RoutePattern.RawText!.Contains("admin/models/{Id:guid}/card", StringComparison.Ordinal));
        Assert.All(endpoints, e => Assert.Contains(e.Metadata.GetOrderedMetadata<IAuthorizeData>(), a => a.Policy == Policies.Admin));

        var policy = (await _factory.Services.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync(Policies.Admin))!;
        var requirement = Assert.Single(policy.Requirements.OfType<Microsoft.AspNetCore.Authorization.Infrastructure.RolesAuthorizationRequirement>());
        Assert.Equal([Roles.Admin], requirement.AllowedRoles);
    }

    private async Task<HttpClient> SignInAsync(string email, string password = Password)
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await client.GetStringAsync("/Account/Login", Ct);
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        using var form = new FormUrlEncodedContent([
            new("_handler", "login"), new("__RequestVerificationToken", token), new("Input.Email", email), new("Input.Password", password)]);
        var response = await client.PostAsync("/Account/Login", form, Ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("Login", response.Headers.Location?.ToString() ?? "", StringComparison.Ordinal);
        return client;
    }

    [GeneratedRegex("<input(?=[^>]*name=\"__RequestVerificationToken\")[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    private const string Export = "/admin/quality/export.csv?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z";

    [Theory]
    [InlineData("clinician@demo.local")]
    [InlineData("reviewer@demo.local")]
    public async Task Clinicians_and_reviewers_are_refused_every_admin_page_and_the_quality_export(string email)
    {
        using var client = await SignInAsync(email);
        foreach (var path in AdminPaths.Append(Export))
        {
            var response = await client.GetAsync(path, Ct);
            Assert.True(response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Forbidden, $"{path}: {response.StatusCode}");
            if (response.StatusCode == HttpStatusCode.Redirect)
            {
                Assert.StartsWith("/Account/AccessDenied", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task An_admin_reaches_every_admin_page_and_the_export_which_is_audited()
    {
        using var client = await SignInAsync("admin@demo.local");
        foreach (var path in AdminPaths)
        {
            var response = await client.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode} {string.Join('\n', _logs.Lines.Where(l => l.StartsWith("Error", StringComparison.Ordinal)))}");
        }
        var csv = await client.GetAsync(Export, Ct);
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.StartsWith("draft_id,", await csv.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/admin/quality/export.csv", Ct)).StatusCode);

        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        Assert.True(await db.AuditEvents.AnyAsync(a => a.Action == AuditActions.QualityMetricsExported && a.UserName == "Jordan Lee (demo admin)", Ct));
    }

    [Fact]
    public async Task A_user_given_a_temporary_password_must_change_it_before_anything_else()
    {
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        var admin = await db.Users.SingleAsync(u => u.Email == "admin@demo.local", Ct);
        var created = await _factory.Services.GetRequiredService<UserAdministration>()
            .CreateAsync(new NewUser("temp@demo.local", "Dr Temp", [Roles.Clinician], null, false), new Actor(admin.Id, admin.DisplayName), Ct);
        Assert.True(created.Succeeded, created.Message);

        using var client = await SignInAsync("temp@demo.local", created.TemporaryPassword!);
        var patients = await client.GetAsync("/patients", Ct);
        Assert.Equal(HttpStatusCode.Redirect, patients.StatusCode);
        Assert.Equal(PasswordChangeRequirement.ChangePasswordPath, patients.Headers.Location!.ToString());

        var page = await client.GetStringAsync(PasswordChangeRequirement.ChangePasswordPath, Ct);
        using var form = new FormUrlEncodedContent([
            new("_handler", "change-password"), new("__RequestVerificationToken", AntiforgeryToken().Match(page).Groups[1].Value),
            new("Input.OldPassword", created.TemporaryPassword!), new("Input.NewPassword", "Chosen-by-user-42!"), new("Input.ConfirmPassword", "Chosen-by-user-42!")]);
        var changed = await client.PostAsync(PasswordChangeRequirement.ChangePasswordPath, form, Ct);
        Assert.True(changed.IsSuccessStatusCode || changed.StatusCode == HttpStatusCode.Redirect, changed.StatusCode.ToString());

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/patients", Ct)).StatusCode);
        var claims = await db.UserClaims
            .Where(c => c.ClaimType == UserAdministration.PasswordChangeRequiredClaim).ToListAsync(Ct);
        Assert.Empty(claims);
    }
}

using System.Net;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticAssets;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Security;

/// <summary>
/// Every routable page and every mapped endpoint × anonymous, Clinician, Reviewer, Admin, a disabled and a locked
/// account: allowed or refused exactly as <see cref="AuthorizationMatrix"/> declares, over HTTP with real sign-ins.
/// Writes the matrix to artifacts/security/authorization-matrix.md.
/// </summary>
[Collection(SecuritySuite.Name)]
public sealed class AuthorizationMatrixTests(SecurityRun run)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IReadOnlyList<RouteEndpoint> Endpoints() =>
        run.Host.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    private static IEnumerable<string> Keys(RouteEndpoint e)
    {
        var methods = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
        var pattern = e.RoutePattern.RawText!;
        if (methods is null) return [$"* {pattern}"];
        // Razor component pages are mapped as GET+POST; declared as one rule per method.
        if (methods.Count == 2 && methods.Contains("GET") && methods.Contains("POST")) return [$"GET {pattern}", $"POST {pattern}"];
        return [$"{string.Join(",", methods)} {pattern}"];
    }

    [Fact]
    public void Every_page_and_endpoint_the_app_maps_is_declared_in_the_matrix()
    {
        var endpoints = Endpoints();
        var declared = AuthorizationMatrix.Rules.Select(r => r.Key).ToHashSet();
        var mapped = endpoints.Where(e => e.Metadata.GetMetadata<StaticAssetDescriptor>() is null).SelectMany(Keys).ToHashSet();

        var undeclared = mapped.Except(declared).Order().ToList();
        Assert.True(undeclared.Count == 0, "Routes the app maps but the authorization matrix does not classify (add them to AuthorizationMatrix.Rules): " + string.Join(", ", undeclared));
        var stale = declared.Except(mapped).Order().ToList();
        Assert.True(stale.Count == 0, "Declared routes the app no longer maps: " + string.Join(", ", stale));
        Assert.True(endpoints.Count(e => e.Metadata.GetMetadata<StaticAssetDescriptor>() is not null) > 10);

        // Every routable component in the app assembly (reflection, including the Identity account pages) is mapped.
        var pages = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && !t.IsAbstract)
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => r.Template))
            .ToList();
        Assert.True(pages.Count >= 25, $"{pages.Count} routable pages found");
        var missing = pages.Where(template => !declared.Contains($"GET {template}")).ToList();
        Assert.True(missing.Count == 0, "Pages not in the matrix: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_page_that_is_not_public_carries_the_authorize_attribute_the_matrix_declares()
    {
        // The attributes are what AuthorizeRouteView (Components/Routes.razor) enforces inside the interactive circuit,
        // after the prerender; the endpoint check over HTTP uses the same metadata.
        var pages = typeof(Program).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && !t.IsAbstract)
            .SelectMany(t => t.GetCustomAttributes<RouteAttribute>().Select(r => (Type: t, r.Template)))
            .ToList();
        var failures = new List<string>();
        foreach (var (type, template) in pages)
        {
            var rule = AuthorizationMatrix.Rules.Single(r => r.Method == "GET" && r.Pattern == template);
            var authorize = type.GetCustomAttributes<AuthorizeAttribute>(inherit: true).ToList();
            var anonymous = type.GetCustomAttributes<AllowAnonymousAttribute>(inherit: true).Any();
            if (rule.Access == Access.Public)
            {
                if (authorize.Count > 0 && !anonymous) failures.Add($"{template} ({type.Name}) is declared public but has [Authorize]");
                continue;
            }
            if (anonymous) failures.Add($"{template} ({type.Name}) has [AllowAnonymous]");
            var policy = AuthorizationMatrix.PolicyFor(rule.Access);
            if (authorize.Count != 1 || authorize[0].Policy != policy || authorize[0].Roles is not null)
            {
                failures.Add($"{template} ({type.Name}): expected [Authorize{(policy is null ? "" : $"(Policy = {policy})")}], found {authorize.Count} attribute(s): "
                    + string.Join(", ", authorize.Select(a => $"Policy={a.Policy} Roles={a.Roles}")));
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));

        // And the router that enforces them in the circuit is AuthorizeRouteView.
        var routes = File.ReadAllText(Path.Combine(RepoRoot(), "src/ClinicalAssist.Web/Components/Routes.razor"));
        Assert.Contains("<AuthorizeRouteView", routes, StringComparison.Ordinal);
        Assert.DoesNotContain("<RouteView", routes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_cell_of_the_matrix_is_as_declared_and_no_protected_content_leaks()
    {
        Assert.NotEmpty(run.Cells);
        var markdown = run.Markdown();
        var directory = Path.Combine(RepoRoot(), "artifacts", "security");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "authorization-matrix.md"), markdown, Ct);

        var expectedCells = (AuthorizationMatrix.Rules.Count + 1) * AuthorizationMatrix.Principals.Count;
        Assert.Equal(expectedCells, run.Cells.Count);
        var leaks = run.Cells.Where(c => c.Leak).Select(Describe).ToList();
        Assert.True(leaks.Count == 0, $"Leaks found: {leaks.Count}\n" + string.Join("\n", leaks));
        var diffs = run.Cells.Where(c => c.Mismatch).Select(Describe).ToList();
        Assert.True(diffs.Count == 0, $"Cells differing from the declared matrix: {diffs.Count}\n" + string.Join("\n", diffs));

        // The matrix can tell the two apart: every protected route admits someone and refuses someone.
        foreach (var row in run.Cells.Where(c => c.Rule.Access != Access.Public).GroupBy(c => c.Rule.Key))
        {
            Assert.Contains(row, c => c.Actual);
            Assert.Contains(row, c => !c.Actual);
        }
    }

    private static string Describe(Cell c) =>
        $"{c.Rule.Key} as {c.Principal}: expected {(c.Expected ? "allowed" : "refused")}, got {c.Outcome} {c.Status} {c.Location}{(c.ContentLeak is null ? "" : $" with protected content '{c.ContentLeak}'")}";

    [Fact]
    public void A_disabled_or_locked_account_cannot_sign_in_again()
    {
        Assert.Equal("refused", run.SignInAgain[Principal.Disabled]);
        Assert.Equal("refused", run.SignInAgain[Principal.Locked]);
    }

    [Fact]
    public async Task Every_form_post_without_an_antiforgery_token_is_refused_with_400()
    {
        var failures = new List<string>();
        var posts = AuthorizationMatrix.Rules.Where(r => r.Method == "POST").ToList();
        Assert.True(posts.Count >= 30);
        foreach (var rule in posts)
        {
            // Posted by someone the route admits, so authorization does not answer first.
            var principal = AuthorizationMatrix.Principals.First(p => AuthorizationMatrix.Admits(rule.Access, p));
            var cookies = run.Host.CookiesOf(principal);
            await run.Host.AntiforgeryAsync(cookies); // the antiforgery cookie is there; only the form token is missing
            var url = rule.Url.Replace("{patient}", Uri.EscapeDataString(run.PatientId), StringComparison.Ordinal)
                .Replace("{draft}", run.Drafts[0].ToString(), StringComparison.Ordinal).Replace("{model}", run.ModelId.ToString(), StringComparison.Ordinal);
            using var request = Security.SecurityHost.Request(HttpMethod.Post, url, cookies);
            request.Content = new FormUrlEncodedContent([new("_handler", "x"), new("Input.Email", "a@b.c")]);
            using var response = await run.Host.Client.SendAsync(request, Ct);
            // Entra ID sign-in is not mapped to anything while EntraId:Enabled is off (404 before any form is read).
            var ok = response.StatusCode == HttpStatusCode.BadRequest
                || (rule.Pattern == "/Account/ExternalLogin" && response.StatusCode == HttpStatusCode.NotFound);
            if (!ok) failures.Add($"{rule.Key} as {principal}: {(int)response.StatusCode} {response.Headers.Location}");
        }
        Assert.True(failures.Count == 0, "Form posts accepted without an antiforgery token:\n" + string.Join("\n", failures));
    }

    internal static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClinicalAssist.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Repository root not found.");
    }
}

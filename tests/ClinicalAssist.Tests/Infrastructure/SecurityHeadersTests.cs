using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ClinicalAssist.Tests.Infrastructure;

public sealed partial class SecurityHeadersTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("clinicalassist-csp-").FullName;
    private WebApplicationFactory<Program> _factory = null!;

    public ValueTask InitializeAsync()
    {
        _factory = AppFactory.Create(_data);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        AppFactory.DeleteDirectory(_data);
    }

    [Fact]
    public async Task Every_page_has_a_nonce_based_CSP_without_unsafe_eval_and_the_importmap_carries_the_nonce()
    {
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var nonces = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var response = await client.GetAsync("/Account/Login", TestContext.Current.CancellationToken);
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            var nonce = NonceInPolicy().Match(csp).Groups[1].Value;
            Assert.NotEmpty(nonce);
            nonces.Add(nonce);

            Assert.DoesNotContain("unsafe-eval", csp);
            Assert.DoesNotMatch("script-src[^;]*unsafe-inline", csp);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Contains("object-src 'none'", csp);
            Assert.Contains("base-uri 'self'", csp);
            Assert.Contains("form-action 'self'", csp);
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());

            var html = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            var importMap = ImportMapScript().Match(html);
            Assert.True(importMap.Success, "the page has Blazor's importmap");
            Assert.Contains($"nonce=\"{nonce}\"", importMap.Value);
            // Every inline script (no src) carries the nonce; nothing inline runs without it.
            foreach (Match script in InlineScript().Matches(html))
            {
                Assert.Contains($"nonce=\"{nonce}\"", script.Value);
            }
        }
        Assert.NotEqual(nonces[0], nonces[1]);
    }

    [Fact]
    public async Task The_sign_in_form_is_antiforgery_protected()
    {
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await client.GetStringAsync("/Account/Login", TestContext.Current.CancellationToken);
        Assert.Contains("__RequestVerificationToken", page);

        using var form = new FormUrlEncodedContent([new("_handler", "login"), new("Input.Email", "clinician@demo.local"), new("Input.Password", "Factory-test-pass-1!")]);
        var post = await client.PostAsync("/Account/Login", form, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        Assert.False(post.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("ClinicalAssist.Auth=", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("/Account/Logout")]
    [InlineData("/Account/Login")]
    public async Task A_form_post_without_an_antiforgery_token_is_refused_with_400(string path)
    {
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var form = new FormUrlEncodedContent([new("returnUrl", "/"), new("_handler", "x")]);
        var response = await client.PostAsync(path, form, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [GeneratedRegex("script-src 'self' 'nonce-([A-Za-z0-9+/=]+)'")]
    private static partial Regex NonceInPolicy();

    [GeneratedRegex("<script[^>]*type=\"importmap\"[^>]*>")]
    private static partial Regex ImportMapScript();

    [GeneratedRegex("<script(?![^>]*\\ssrc=)[^>]*>")]
    private static partial Regex InlineScript();
}

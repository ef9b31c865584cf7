using System.Net;
using System.Security.Claims;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClinicalAssist.Tests.Infrastructure;

public sealed partial class EntraIdSignInTests : IAsyncLifetime
{
    private const string ClientId = "11111111-2222-3333-4444-555555555555";
    private const string Group = "6a1f3c2e-0000-4000-8000-00000000beef";
    private readonly string _data = Directory.CreateTempSubdirectory("clinicalassist-entra-").FullName;
    private WebApplication _authority = null!;
    private Uri _authorityBase = null!;
    private WebApplicationFactory<Program> _factory = null!;
    private readonly System.Security.Cryptography.RSA _rsa = System.Security.Cryptography.RSA.Create(2048);
    private string? _nonce;
    private IReadOnlyList<(string Type, string Value)> _nextClaims = [];

    public async ValueTask InitializeAsync()
    {
        // A loopback OpenID Connect authority: just its discovery document and (empty) key set.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _authority = builder.Build();
        _authority.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (string tenant, HttpContext http) =>
        {
            var root = $"{http.Request.Scheme}://{http.Request.Host}/{tenant}";
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = $"{root}/v2.0",
                ["authorization_endpoint"] = $"{root}/oauth2/v2.0/authorize",
                ["token_endpoint"] = $"{root}/oauth2/v2.0/token",
                ["end_session_endpoint"] = $"{root}/oauth2/v2.0/logout",
                ["jwks_uri"] = $"{root}/discovery/v2.0/keys",
                ["response_types_supported"] = new[] { "code", "id_token", "code id_token" },
                ["subject_types_supported"] = new[] { "pairwise" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            });
        });
        _authority.MapGet("/{tenant}/discovery/v2.0/keys", () =>
        {
            var p = _rsa.ExportParameters(false);
            return Results.Json(new { keys = new[] { new { kty = "RSA", use = "sig", kid = "test-key", alg = "RS256",
                n = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(p.Modulus), e = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(p.Exponent) } } });
        });
        _authority.MapPost("/{tenant}/oauth2/v2.0/token", (string tenant, HttpContext http) =>
            Results.Json(new { token_type = "Bearer", expires_in = 3600, access_token = "opaque", id_token = IdToken($"{http.Request.Scheme}://{http.Request.Host}/{tenant}/v2.0") }));
        await _authority.StartAsync(TestContext.Current.CancellationToken);
        _authorityBase = new Uri(_authority.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        _factory = AppFactory.Create(_data, new Dictionary<string, string?>
        {
            ["EntraId:Enabled"] = "true",
            ["EntraId:Roles:Reviewer:0"] = "Reviewer",
            ["EntraId:Roles:Reviewer:1"] = Group,
            ["AzureAd:Instance"] = _authorityBase.ToString(),
            ["AzureAd:TenantId"] = "test-tenant",
            ["AzureAd:ClientId"] = ClientId,
            ["AzureAd:CallbackPath"] = "/signin-oidc",
        }, services =>
        {
            services.Configure<OpenIdConnectOptions>(EntraIdSignIn.Scheme, o => o.RequireHttpsMetadata = false); // the fake authority is plain HTTP
            // Microsoft.Identity.Web's issuer validator fetches Entra's instance metadata over HTTPS; the fake
            // authority's issuer is checked as a fixed value instead (signature, audience, lifetime, nonce as usual).
            services.PostConfigure<OpenIdConnectOptions>(EntraIdSignIn.Scheme, o =>
            {
                o.TokenValidationParameters.IssuerValidator = null;
                o.TokenValidationParameters.ValidIssuer = new Uri(_authorityBase, "test-tenant/v2.0").ToString().TrimEnd('/');
            });
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _authority.DisposeAsync();
        AppFactory.DeleteDirectory(_data);
    }

    /// <summary>An id_token as Entra ID would issue it, signed with the fake authority's key.</summary>
    private string IdToken(string issuer)
    {
        var claims = new Dictionary<string, object>
        {
            ["oid"] = "oid-e2e", ["sub"] = "sub-e2e", ["tid"] = "test-tenant", ["preferred_username"] = "e2e@hospital.example",
            ["name"] = "Dr End To End", ["ver"] = "2.0",
        };
        if (_nonce is not null) claims["nonce"] = _nonce;
        foreach (var group in _nextClaims.GroupBy(c => c.Type)) claims[group.Key] = group.Select(c => c.Value).ToArray();
        var handler = new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler();
        return handler.CreateToken(new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Issuer = issuer, Audience = ClientId, Claims = claims,
            IssuedAt = DateTime.UtcNow, NotBefore = DateTime.UtcNow.AddMinutes(-1), Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new Microsoft.IdentityModel.Tokens.SigningCredentials(
                new Microsoft.IdentityModel.Tokens.RsaSecurityKey(_rsa) { KeyId = "test-key" }, Microsoft.IdentityModel.Tokens.SecurityAlgorithms.RsaSha256),
        });
    }

    [Fact]
    public async Task A_full_OpenID_Connect_round_trip_signs_in_a_linked_account_with_the_mapped_role()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        var html = await client.GetStringAsync("/Account/Login?ReturnUrl=%2Freview", ct);
        var token = WebUtility.HtmlDecode(Token().Match(EntraForm().Match(html).Value).Groups[1].Value);
        using var post = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("returnUrl", "/review")]);
        var challenge = await client.PostAsync("/Account/ExternalLogin", post, ct);
        var authorize = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(challenge.Headers.Location!.Query);
        _nonce = authorize["nonce"].ToString();
        _nextClaims = [("groups", Group)];
        var responseType = authorize["response_type"].ToString();

        // The browser comes back from the authority to the callback (form_post).
        var fields = new List<KeyValuePair<string, string>> { new("state", authorize["state"].ToString()) };
        if (responseType.Contains("code", StringComparison.Ordinal)) fields.Add(new("code", "test-code"));
        if (responseType.Contains("id_token", StringComparison.Ordinal)) fields.Add(new("id_token", IdToken(new Uri(_authorityBase, "test-tenant/v2.0").ToString().TrimEnd('/'))));
        using var callbackForm = new FormUrlEncodedContent(fields);
        var callback = await client.PostAsync("/signin-oidc", callbackForm, ct);
        Assert.True(callback.StatusCode == HttpStatusCode.Redirect, $"{callback.StatusCode}: {await callback.Content.ReadAsStringAsync(ct)}");
        Assert.StartsWith("/Account/ExternalLoginCallback", callback.Headers.Location!.OriginalString.Replace("https://localhost", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var done = await client.GetAsync(callback.Headers.Location, ct);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("/review", done.Headers.Location!.OriginalString);

        // Signed in with the local cookie as a Reviewer (the group), not a Clinician.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/review", ct)).StatusCode);
        var patients = await client.GetAsync("/patients", ct);
        Assert.Contains("AccessDenied", patients.Headers.Location?.ToString() ?? await patients.Content.ReadAsStringAsync(ct), StringComparison.OrdinalIgnoreCase);
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
        var user = await db.Users.SingleAsync(u => u.Email == "e2e@hospital.example", ct);
        Assert.Equal("Dr End To End", user.DisplayName);
        Assert.True(await db.AuditEvents.AnyAsync(a => a.Action == AuditActions.SignedIn && a.UserId == user.Id, ct));
    }

    private static ClaimsPrincipal Token(string oid, string email, string name, params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(
            new[] { new Claim("oid", oid), new Claim("preferred_username", email), new Claim("name", name) }
                .Concat(claims.Select(c => new Claim(c.Type, c.Value))), "EntraId"));

    [Theory]
    [InlineData("roles", "Clinician", "Clinician")]
    [InlineData("roles", "clinician", "Clinician")]
    [InlineData("roles", "Admin", "Admin")]
    [InlineData("groups", Group, "Reviewer")]
    [InlineData("roles", "Reviewer", "Reviewer")]
    [InlineData("roles", "Nurse", "")]
    [InlineData("groups", "Clinician-not-a-group-id", "")]
    public void Token_roles_and_groups_map_to_product_roles(string type, string value, string expected)
    {
        var options = new EntraIdOptions { Roles = { ["Reviewer"] = ["Reviewer", Group] } };
        var roles = EntraIdSignIn.MapRoles(Token("o", "e@x", "n", (type, value)), options);
        Assert.Equal(expected, string.Join(",", roles.Order()));
    }

    [Fact]
    public void Configured_mappings_replace_the_default_for_that_role_only()
    {
        var options = new EntraIdOptions { Roles = { ["Admin"] = ["ClinicalAssist.Administrators"] } };
        Assert.Empty(EntraIdSignIn.MapRoles(Token("o", "e@x", "n", ("roles", "Admin")), options));
        Assert.Equal(["Admin"], EntraIdSignIn.MapRoles(Token("o", "e@x", "n", ("roles", "ClinicalAssist.Administrators")), options));
        Assert.Equal(["Clinician", "Reviewer"], EntraIdSignIn.MapRoles(Token("o", "e@x", "n", ("roles", "Clinician"), ("roles", "Reviewer")), options).Order());
    }

    [Fact]
    public async Task A_sign_in_creates_or_links_the_local_account_and_its_roles_follow_the_token()
    {
        var ct = TestContext.Current.CancellationToken;
        async Task<(ApplicationUser? User, IList<string> Roles)> SignInAsync(ClaimsPrincipal token)
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            var user = await scope.ServiceProvider.GetRequiredService<EntraIdAccounts>().ProvisionAsync(token, ct);
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            return (user, user is null ? [] : await users.GetRolesAsync((await users.FindByIdAsync(user.Id))!));
        }

        var (created, roles) = await SignInAsync(Token("oid-1", "ada@hospital.example", "Dr Ada Entra", ("roles", "Clinician")));
        Assert.NotNull(created);
        Assert.Equal("Dr Ada Entra", created!.DisplayName);
        Assert.Equal(["Clinician"], roles);

        // Next sign-in: the group grants Reviewer, the app role was removed in Entra: roles follow; same account.
        var (again, newRoles) = await SignInAsync(Token("oid-1", "ada@hospital.example", "Dr Ada Entra", ("groups", Group)));
        Assert.Equal(created.Id, again!.Id);
        Assert.Equal(["Reviewer"], newRoles);

        // An existing local account with the same e-mail is linked, not duplicated.
        var (linked, _) = await SignInAsync(Token("oid-2", "clinician@demo.local", "Dr Alex Morgan (demo clinician)", ("roles", "Clinician")));
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            Assert.Equal((await users.FindByEmailAsync("clinician@demo.local"))!.Id, linked!.Id);
            Assert.Equal(linked.Id, (await users.FindByLoginAsync(EntraIdSignIn.Scheme, "oid-2"))!.Id);
        }

        // No ClinicalAssist role: refused and audited.
        var (refused, _) = await SignInAsync(Token("oid-3", "visitor@hospital.example", "Visitor", ("roles", "Nurse")));
        Assert.Null(refused);
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
        Assert.True(await db.AuditEvents.AnyAsync(a => a.Action == AuditActions.SignInFailed && a.Details!.Contains("no Clinician"), ct));
        Assert.False(await db.Users.AnyAsync(u => u.Email == "visitor@hospital.example", ct));
    }

    [Fact]
    public async Task The_sign_in_page_offers_Entra_ID_and_its_button_challenges_the_configured_authority()
    {
        var ct = TestContext.Current.CancellationToken;
        var schemes = _factory.Services.GetRequiredService<IAuthenticationSchemeProvider>();
        Assert.Equal(typeof(OpenIdConnectHandler), (await schemes.GetSchemeAsync(EntraIdSignIn.Scheme))!.HandlerType);

        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var login = await client.GetAsync("/Account/Login?ReturnUrl=%2Freview", ct);
        var html = await login.Content.ReadAsStringAsync(ct);
        Assert.Contains("Sign in with Microsoft Entra ID", html);
        Assert.Contains($"form-action 'self' {_authorityBase.GetLeftPart(UriPartial.Authority)}", login.Headers.GetValues("Content-Security-Policy").Single());
        var form = EntraForm().Match(html).Value;
        var token = Token().Match(form).Groups[1].Value;
        Assert.NotEmpty(token);

        using var post = new FormUrlEncodedContent([new("__RequestVerificationToken", WebUtility.HtmlDecode(token)), new("returnUrl", "/review")]);
        var challenge = await client.PostAsync("/Account/ExternalLogin", post, ct);
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var location = challenge.Headers.Location!;
        Assert.StartsWith(new Uri(_authorityBase, "test-tenant/oauth2/v2.0/authorize").ToString(), location.ToString(), StringComparison.Ordinal);
        Assert.Contains($"client_id={ClientId}", location.Query);
        Assert.Contains("redirect_uri=http%3A%2F%2Flocalhost%2Fsignin-oidc", location.Query);

        // Without the antiforgery token the post is refused.
        using var bare = new FormUrlEncodedContent([new("returnUrl", "/review")]);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.PostAsync("/Account/ExternalLogin", bare, ct)).StatusCode);
    }

    [GeneratedRegex("<form[^>]*data-testid=\"entra-form\"[\\s\\S]*?</form>")]
    private static partial Regex EntraForm();

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex Token();
}

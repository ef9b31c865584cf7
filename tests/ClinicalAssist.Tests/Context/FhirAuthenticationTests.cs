using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Core;
using ClinicalAssist.Web.Features.Context;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>Authentication modes of the Server source against loopback fakes: the SMART token endpoint verifies
/// the client assertion's signature and claims like a real authorization server would.</summary>
public sealed class FhirAuthenticationTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("RS384")]
    [InlineData("ES384")]
    public async System.Threading.Tasks.Task Smart_backend_services_gets_a_token_with_a_signed_assertion_and_caches_it(string algorithm)
    {
        using AsymmetricAlgorithm key = algorithm == "RS384" ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var pem = key switch
        {
            RSA rsa => rsa.ExportPkcs8PrivateKeyPem(),
            ECDsa ec => ec.ExportPkcs8PrivateKeyPem(),
            _ => throw new InvalidOperationException(),
        };
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        var clock = new FakeTimeProvider(Now);
        var issued = 0;
        var problems = new List<string>();
        var jtis = new HashSet<string>();
        server.TokenEndpoint = form =>
        {
            var problem = Verify(form, key, algorithm, "client-42", server.TokenUrl.ToString(), jtis);
            if (problem is not null)
            {
                lock (problems)
                {
                    problems.Add(problem);
                }

                return Results.Json(new { error = "invalid_client" }, statusCode: 401);
            }

            var n = Interlocked.Increment(ref issued);
            return Results.Json(new { access_token = $"smart-token-{n}", token_type = "bearer", expires_in = 3600, scope = form["scope"].ToString() });
        };

        using var host = ServerRecordSourceTests.Host(server.BaseUrl, pageSize: 50, token: null, extra: new Dictionary<string, string?>
        {
            ["Fhir:Auth"] = "SmartBackend",
            ["Fhir:Smart:ClientId"] = "client-42",
            ["Fhir:Smart:Algorithm"] = algorithm,
            ["Fhir:Smart:PrivateKeyPem"] = pem,
            ["Fhir:Smart:KeyId"] = "key-1",
        }, services: s => s.AddSingleton<TimeProvider>(clock));
        var source = host.Services.GetRequiredService<IPatientRecordSource>();

        var first = await source.GetRecordAsync("p1", Ct);
        var second = await source.GetRecordAsync("p1", Ct);
        Assert.Empty(problems);
        Assert.Equal(1, issued); // cached across both records
        Assert.NotNull(first);
        Assert.Empty(first.Failures);
        Assert.NotNull(second);
        Assert.All(server.Authorizations, a => Assert.Equal("Bearer smart-token-1", a));

        clock.SetUtcNow(Now.AddMinutes(59.5)); // inside the last minute of the token's life: refreshed before it expires
        await source.GetRecordAsync("p1", Ct);
        Assert.Equal(2, issued);
        Assert.Equal("Bearer smart-token-2", server.Authorizations.Last());
        Assert.Empty(problems);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_refused_smart_client_fails_the_record_with_a_clear_message()
    {
        using var rsa = RSA.Create(2048);
        using var other = RSA.Create(2048);
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.TokenEndpoint = form => Verify(form, other, "RS384", "client-42", server.TokenUrl.ToString(), []) is null
            ? Results.Json(new { access_token = "never" })
            : Results.Json(new { error = "invalid_client" }, statusCode: 401);
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, token: null, extra: new Dictionary<string, string?>
        {
            ["Fhir:Auth"] = "SmartBackend",
            ["Fhir:Smart:ClientId"] = "client-42",
            ["Fhir:Smart:PrivateKeyPem"] = rsa.ExportPkcs8PrivateKeyPem(),
        });
        var source = host.Services.GetRequiredService<IPatientRecordSource>();

        var error = await Assert.ThrowsAsync<FhirSourceException>(() => source.GetRecordAsync("p1", Ct));
        Assert.Contains("refused the client (401)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Authorizations, a => a is not null);
    }

    [Fact]
    public async System.Threading.Tasks.Task Azure_managed_identity_uses_the_token_credential_with_the_servers_scope()
    {
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        var credential = new FakeCredential();
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, pageSize: 50, token: null,
            extra: new Dictionary<string, string?> { ["Fhir:Auth"] = "AzureManagedIdentity" },
            services: s => s.AddSingleton<TokenCredential>(credential));
        var source = host.Services.GetRequiredService<IPatientRecordSource>();

        var record = await source.GetRecordAsync("p1", Ct);
        await source.GetRecordAsync("p1", Ct);

        Assert.NotNull(record);
        Assert.Empty(record.Failures);
        Assert.Equal(1, credential.Calls);
        Assert.Equal([server.BaseUrl.GetLeftPart(UriPartial.Authority) + "/.default"], credential.Scopes);
        Assert.All(server.Authorizations, a => Assert.Equal("Bearer entra-token", a));
    }

    [Fact]
    public async System.Threading.Tasks.Task No_authentication_sends_no_authorization_header()
    {
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, pageSize: 50, token: null);

        Assert.NotNull(await host.Services.GetRequiredService<IPatientRecordSource>().GetRecordAsync("p1", Ct));
        Assert.All(server.Authorizations, Assert.Null);
    }

    [Theory]
    [InlineData("SmartBackend", "https://fhir.example.org/r4", null, "Fhir:Smart:ClientId is required")]
    [InlineData("Bearer", "https://fhir.example.org/r4", null, "Fhir:BearerToken is required")]
    [InlineData("AzureManagedIdentity", "http://fhir.example.org/r4", null, "only be sent over https")]
    [InlineData("SmartBackend", "https://fhir.example.org/r4", "ES256", "must be RS384 or ES384")]
    public void Auth_settings_are_validated_at_start(string auth, string url, string? algorithm, string expected)
    {
        var options = new FhirOptions { Source = FhirSourceKind.Server, ServerBaseUrl = url, Auth = Enum.Parse<FhirAuthMode>(auth) };
        if (algorithm is not null)
        {
            options.Smart = new SmartBackendOptions { ClientId = "c", PrivateKeyPem = "x", Algorithm = algorithm };
        }

        var errors = options.Validate(new System.ComponentModel.DataAnnotations.ValidationContext(options)).Select(e => e.ErrorMessage).ToList();
        Assert.Contains(errors, e => e!.Contains(expected, StringComparison.Ordinal));
    }

    /// <summary>What a SMART authorization server checks; null when the request is acceptable.</summary>
    private static string? Verify(IFormCollection form, AsymmetricAlgorithm key, string algorithm, string clientId, string tokenUrl, HashSet<string> jtis)
    {
        if (form["grant_type"] != "client_credentials")
        {
            return "grant_type";
        }

        if (form["client_assertion_type"] != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return "client_assertion_type";
        }

        if (!form["scope"].ToString().Contains("system/Observation.rs", StringComparison.Ordinal))
        {
            return "scope";
        }

        var parts = form["client_assertion"].ToString().Split('.');
        if (parts.Length != 3)
        {
            return "jwt shape";
        }

        using var header = JsonDocument.Parse(FromBase64Url(parts[0]));
        using var payload = JsonDocument.Parse(FromBase64Url(parts[1]));
        if (header.RootElement.GetProperty("alg").GetString() != algorithm)
        {
            return "alg";
        }

        var data = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        var signature = FromBase64Url(parts[2]);
        var valid = key switch
        {
            RSA rsa => rsa.VerifyData(data, signature, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
            ECDsa ec => ec.VerifyData(data, signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => false,
        };
        if (!valid)
        {
            return "signature";
        }

        var claims = payload.RootElement;
        var exp = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64());
        var iat = DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("iat").GetInt64());
        var jti = claims.GetProperty("jti").GetString();
        if (claims.GetProperty("iss").GetString() != clientId || claims.GetProperty("sub").GetString() != clientId)
        {
            return "iss/sub";
        }

        if (claims.GetProperty("aud").GetString() != tokenUrl)
        {
            return "aud";
        }

        if (exp <= iat || exp - iat > TimeSpan.FromMinutes(5))
        {
            return "exp";
        }

        return string.IsNullOrEmpty(jti) || !jtis.Add(jti) ? "jti" : null;
    }

    private static byte[] FromBase64Url(string text)
    {
        var s = text.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    private sealed class FakeCredential : TokenCredential
    {
        public int Calls { get; private set; }

        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Calls++;
            Scopes.AddRange(requestContext.Scopes);
            return ValueTask.FromResult(new AccessToken("entra-token", Now.AddHours(1)));
        }
    }
}

using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Supplies the bearer token for FHIR requests (null = send none). One implementation per
/// <see cref="FhirAuthMode"/>: a real seam, since each mode talks to a different kind of authority.</summary>
public interface IFhirAccessTokenSource
{
    ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>Drops a cached token (after a 401), so the next request gets a fresh one.</summary>
    void Invalidate();
}

/// <summary>No token, or the static <see cref="FhirOptions.BearerToken"/>.</summary>
public sealed class StaticFhirAccessTokenSource(IOptions<FhirOptions> options) : IFhirAccessTokenSource
{
    private readonly string? _token = string.IsNullOrWhiteSpace(options.Value.BearerToken) ? null : options.Value.BearerToken;

    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_token);

    public void Invalidate()
    {
    }
}

/// <summary>Azure managed identity / Entra ID through an Azure.Identity <see cref="TokenCredential"/>
/// (ManagedIdentityCredential unless DI registers another, e.g. a test fake).</summary>
public sealed class AzureFhirAccessTokenSource(TokenCredential credential, IOptions<FhirOptions> options, TimeProvider time) : IFhirAccessTokenSource
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _scope = Scope(options.Value);
    private AccessToken? _cached;

    public async ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } token && token.ExpiresOn - TimeSpan.FromMinutes(2) > time.GetUtcNow())
        {
            return token.Token;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_cached is { } again && again.ExpiresOn - TimeSpan.FromMinutes(2) > time.GetUtcNow())
            {
                return again.Token;
            }

            var fresh = await credential.GetTokenAsync(new TokenRequestContext([_scope]), cancellationToken).ConfigureAwait(false);
            _cached = fresh;
            return fresh.Token;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Invalidate() => _cached = null;

    internal static string Scope(FhirOptions options) =>
        !string.IsNullOrWhiteSpace(options.AzureScope)
            ? options.AzureScope
            : new Uri(options.ServerBaseUrl!).GetLeftPart(UriPartial.Authority) + "/.default";
}

/// <summary>SMART Backend Services: discovers the token endpoint from {base}/.well-known/smart-configuration (once),
/// signs a client assertion (RS384 or ES384; iss = sub = client id, aud = token URL, jti, exp ≤ 5 min) and
/// exchanges it with the client_credentials grant. The access token is cached until one minute before it expires
/// (or 10% of its lifetime for short tokens).</summary>
public sealed partial class SmartBackendTokenSource : IFhirAccessTokenSource, IDisposable
{
    public const string HttpClientName = "fhir-auth";

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly FhirOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<SmartBackendTokenSource> _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lazy<AsymmetricAlgorithm> _key;
    private string? _tokenUrl;
    private (string Token, DateTimeOffset RefreshAt)? _cached;

    public SmartBackendTokenSource(IHttpClientFactory httpClientFactory, IOptions<FhirOptions> options, TimeProvider time, ILogger<SmartBackendTokenSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _tokenUrl = string.IsNullOrWhiteSpace(_options.Smart.TokenUrl) ? null : _options.Smart.TokenUrl;
        _key = new Lazy<AsymmetricAlgorithm>(LoadKey, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Token requests made so far (for tests and diagnostics).</summary>
    public int TokenRequests { get; private set; }

    public async ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_cached is { } cached && _time.GetUtcNow() < cached.RefreshAt)
        {
            return cached.Token;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            if (_cached is { } again && now < again.RefreshAt)
            {
                return again.Token;
            }

            var http = _httpClientFactory.CreateClient(HttpClientName);
            _tokenUrl ??= await DiscoverTokenUrlAsync(http, cancellationToken).ConfigureAwait(false);
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials",
                ["scope"] = _options.Smart.Scope,
                ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                ["client_assertion"] = CreateAssertion(_tokenUrl, now),
            });
            TokenRequests++;
            using var response = await http.PostAsync(new Uri(_tokenUrl), form, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                LogTokenFailed(_logger, (int)response.StatusCode);
                throw new FhirAuthenticationException($"the authorization server refused the client ({(int)response.StatusCode})");
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
            var token = json.RootElement.TryGetProperty("access_token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (string.IsNullOrEmpty(token))
            {
                throw new FhirAuthenticationException("the authorization server's answer had no access_token");
            }

            var lifetime = TimeSpan.FromSeconds(json.RootElement.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out var s) && s > 0 ? s : 300);
            var margin = lifetime > TimeSpan.FromMinutes(10) ? TimeSpan.FromMinutes(1) : lifetime / 10;
            _cached = (token, now + lifetime - margin);
            return token;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Invalidate() => _cached = null;

    public void Dispose()
    {
        _gate.Dispose();
        if (_key.IsValueCreated)
        {
            _key.Value.Dispose();
        }
    }

    /// <summary>The signed client assertion (compact JWS).</summary>
    internal string CreateAssertion(string audience, DateTimeOffset now)
    {
        var header = new Dictionary<string, string> { ["alg"] = _options.Smart.Algorithm, ["typ"] = "JWT" };
        if (!string.IsNullOrWhiteSpace(_options.Smart.KeyId))
        {
            header["kid"] = _options.Smart.KeyId;
        }

        var payload = new Dictionary<string, object>
        {
            ["iss"] = _options.Smart.ClientId!,
            ["sub"] = _options.Smart.ClientId!,
            ["aud"] = audience,
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(4).ToUnixTimeSeconds(),
        };
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload));
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = _key.Value switch
        {
            RSA rsa => rsa.SignData(data, HashAlgorithmName.SHA384, RSASignaturePadding.Pkcs1),
            ECDsa ec => ec.SignData(data, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            _ => throw new FhirAuthenticationException("unsupported key type"),
        };
        return signingInput + "." + Base64Url(signature);
    }

    private async Task<string> DiscoverTokenUrlAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var wellKnown = new Uri(_options.ServerBaseUrl!.TrimEnd('/') + "/.well-known/smart-configuration");
        using var response = await http.GetAsync(wellKnown, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new FhirAuthenticationException($"the server's .well-known/smart-configuration answered {(int)response.StatusCode}");
        }

        using var json = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        return json.RootElement.TryGetProperty("token_endpoint", out var endpoint) && endpoint.ValueKind == JsonValueKind.String
               && Uri.TryCreate(endpoint.GetString(), UriKind.Absolute, out var url)
            ? url.ToString()
            : throw new FhirAuthenticationException("the server's smart-configuration names no token_endpoint");
    }

    private AsymmetricAlgorithm LoadKey()
    {
        var pem = !string.IsNullOrWhiteSpace(_options.Smart.PrivateKeyPath)
            ? File.ReadAllText(_options.Smart.PrivateKeyPath)
            : _options.Smart.PrivateKeyPem ?? throw new FhirAuthenticationException("no private key configured");
        if (_options.Smart.Algorithm == "ES384")
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return ec;
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        return rsa;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMART token request failed (HTTP {Status})")]
    private static partial void LogTokenFailed(ILogger logger, int status);
}

/// <summary>Getting a token for the FHIR server failed; the message is safe to show (no secrets).</summary>
public sealed class FhirAuthenticationException(string message) : Exception(message);

/// <summary>Adds "Authorization: Bearer …" from the configured <see cref="IFhirAccessTokenSource"/>; after a 401 the
/// cached token is dropped and the request is tried once more with a fresh one.</summary>
public sealed class FhirAuthorizationHandler(IFhirAccessTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        if (token is null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != System.Net.HttpStatusCode.Unauthorized || request.Content is not null)
        {
            return response;
        }

        tokens.Invalidate();
        var fresh = await tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        if (fresh is null || fresh == token)
        {
            return response;
        }

        response.Dispose();
        using var retry = new HttpRequestMessage(request.Method, request.RequestUri);
        foreach (var header in request.Headers)
        {
            retry.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        retry.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fresh);
        return await base.SendAsync(retry, cancellationToken).ConfigureAwait(false);
    }
}

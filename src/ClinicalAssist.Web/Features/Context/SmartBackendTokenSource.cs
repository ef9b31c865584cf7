using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Context;

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

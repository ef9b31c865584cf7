using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Context;

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

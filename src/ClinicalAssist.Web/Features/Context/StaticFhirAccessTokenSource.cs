using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>No token, or the static <see cref="FhirOptions.BearerToken"/>.</summary>
public sealed class StaticFhirAccessTokenSource(IOptions<FhirOptions> options) : IFhirAccessTokenSource
{
    private readonly string? _token = string.IsNullOrWhiteSpace(options.Value.BearerToken) ? null : options.Value.BearerToken;

    public ValueTask<string?> GetTokenAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_token);

    public void Invalidate()
    {
    }
}

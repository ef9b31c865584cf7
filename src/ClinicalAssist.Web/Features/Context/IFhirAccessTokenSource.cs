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

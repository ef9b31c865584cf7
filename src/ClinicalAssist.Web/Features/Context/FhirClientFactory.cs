using System.Net;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>The FhirClient every call to the configured FHIR server uses (reading records, the patient list and
/// census, writing back): Firely's stock client, JSON, the non-validating recoverable parser
/// (<see cref="FhirBundleReader.ReadOptions"/>), over the named HttpClient <see cref="HttpClientName"/> with its
/// authorization, retry (Retry-After), circuit breaker and timeouts (configured in DI).</summary>
public static class FhirClientFactory
{
    public const string HttpClientName = "fhir";

    /// <summary>The stock client's parser: recoverable, without Firely's model-validation pass.</summary>
    internal static readonly IFhirSerializationEngine ReadEngine = FhirSerializationEngineFactory.Custom(
        ModelInfo.ModelInspector, FhirBundleReader.ReadOptions, new DeserializerSettings().UsingMode(DeserializationMode.Recoverable) with { Validator = null });

    /// <summary>A new client (one per concurrent call: a FhirClient keeps per-call state; the HttpClient underneath is shared).</summary>
    public static FhirClient Create(IHttpClientFactory httpClientFactory, FhirOptions options)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(options);
        var settings = new FhirClientSettings
        {
            PreferredFormat = ResourceFormat.Json,
            VerifyFhirVersion = false,
            // The resilience handler owns the timeouts (per attempt and overall); this is only a backstop.
            Timeout = checked(options.TimeoutSeconds * 1000 * (options.MaxRetries + 2) + options.MaxRetryAfterSeconds * 1000 * options.MaxRetries),
            SerializationEngine = ReadEngine,
        };
        return new FhirClient(BaseUrl(options), httpClientFactory.CreateClient(HttpClientName), settings);
    }

    /// <summary>The configured base URL with one trailing slash (relative searches resolve below it).</summary>
    public static Uri BaseUrl(FhirOptions options) =>
        Uri.TryCreate(options?.ServerBaseUrl, UriKind.Absolute, out var url)
            ? new Uri(url.ToString().TrimEnd('/') + "/")
            : throw new ArgumentException("Fhir:ServerBaseUrl must be an absolute URL for the Server source.", nameof(options));

    /// <summary>A clear, identifier-free reason for a failed request.</summary>
    public static string Describe(Exception ex, FhirOptions options) => Innermost(ex) switch
    {
        FhirOperationException { Status: HttpStatusCode.Unauthorized } => "the FHIR server did not accept our credentials (401).",
        FhirOperationException { Status: HttpStatusCode.Forbidden } => "the FHIR server refused access (403).",
        FhirOperationException { Status: HttpStatusCode.NotFound } => "the FHIR server does not offer this search (404).",
        FhirOperationException { Status: HttpStatusCode.Gone } => "the FHIR server says this data is gone (410): it was deleted or moved.",
        FhirOperationException { Status: HttpStatusCode.TooManyRequests } => "the FHIR server is rate-limiting requests (429) and did not recover in time.",
        // Firely reports an unreadable body of a successful answer as an "operation exception" with the 2xx status.
        FhirOperationException { Status: >= HttpStatusCode.OK and < HttpStatusCode.Ambiguous } => "the FHIR server's answer could not be read (malformed FHIR JSON).",
        FhirOperationException f => $"server returned {(int)f.Status} ({f.Status}).",
        FhirAuthenticationException a => $"no access token: {a.Message}.",
        Polly.CircuitBreaker.BrokenCircuitException => "the FHIR server is failing repeatedly; requests are paused for a few seconds.",
        Polly.Timeout.TimeoutRejectedException or OperationCanceledException or TimeoutException =>
            $"the FHIR server did not answer within {options.TimeoutSeconds} s.",
        HttpRequestException => "the FHIR server could not be reached.",
        _ => "the FHIR server's answer could not be read.",
    };

    /// <summary>The HTTP status of a failed request, when it got one (for logs).</summary>
    internal static int? StatusOf(Exception ex) => ex is FhirOperationException f ? (int)f.Status : null;

    /// <summary>The authentication failure inside whatever wrapped it, else the exception itself.</summary>
    private static Exception Innermost(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is FhirAuthenticationException)
            {
                return e;
            }
        }

        return ex;
    }
}

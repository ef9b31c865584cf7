using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Configuration section "Fhir": where patient records come from.</summary>
public sealed class FhirOptions : IValidatableObject
{
    public const string SectionName = "Fhir";

    public FhirSourceKind Source { get; set; } = FhirSourceKind.Demo;

    /// <summary>Folder of Bundle JSON files; required when <see cref="Source"/> is Directory.</summary>
    public string? DirectoryPath { get; set; }

    /// <summary>Absolute http(s) base URL of the FHIR server; required when <see cref="Source"/> is Server.</summary>
    public string? ServerBaseUrl { get; set; }

    /// <summary>Optional static bearer token for the FHIR server. A secret: keep it in user secrets or the
    /// environment, never in appsettings, and never log it.</summary>
    public string? BearerToken { get; set; }

    public FhirAuthMode Auth { get; set; } = FhirAuthMode.None;

    public SmartBackendOptions Smart { get; set; } = new();

    public CensusOptions Census { get; set; } = new();

    /// <summary>Entra scope for <see cref="FhirAuthMode.AzureManagedIdentity"/>; defaults to "{ServerBaseUrl origin}/.default".</summary>
    public string? AzureScope { get; set; }

    /// <summary>Client id of a user-assigned managed identity; empty for the system-assigned one.</summary>
    public string? AzureManagedIdentityClientId { get; set; }

    /// <summary>Timeout of one HTTP attempt (the resilience handler retries a timed-out attempt).</summary>
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Retries after a 429, 408, 5xx, network error or attempt timeout; Retry-After is honoured.</summary>
    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    /// <summary>First retry delay (exponential with jitter) when the server sends no Retry-After.</summary>
    [Range(0, 60_000)]
    public int RetryBaseDelayMilliseconds { get; set; } = 500;

    /// <summary>Longest Retry-After the client will wait; a longer one fails the request at once.</summary>
    [Range(1, 600)]
    public int MaxRetryAfterSeconds { get; set; } = 30;

    /// <summary>Whether to use Patient/$everything when the CapabilityStatement offers it.</summary>
    public bool UseEverything { get; set; } = true;

    /// <summary>Upper bound on resources fetched per resource type (never trusting the server to honour _count).</summary>
    [Range(1, 1_000_000)]
    public int MaxResourcesPerType { get; set; } = 5000;

    /// <summary>Items kept per context section (newest first); the section then says "showing N of M".</summary>
    [Range(1, 100_000)]
    public int MaxItemsPerSection { get; set; } = 500;

    /// <summary>Dated items (labs, vitals, procedures, reports, immunizations, notes) older than this many days
    /// are left out; 0 = the whole record.</summary>
    [Range(0, 36_500)]
    public int WindowDays { get; set; }

    /// <summary>What the chart calls "recent": items of the last this many days (never more than
    /// <see cref="WindowDays"/> when that is set); older items are listed under "Earlier" with their dates.</summary>
    [Range(1, 36_500)]
    public int RecentDays { get; set; } = 90;

    /// <summary>Characters of note text kept per note; longer notes are cut and marked.</summary>
    [Range(100, 10_000_000)]
    public int MaxNoteCharacters { get; set; } = 20_000;

    /// <summary>Upper bound on the search pages followed per resource type (protects against runaway paging).</summary>
    [Range(1, 1000)]
    public int MaxPages { get; set; } = 50;

    /// <summary>The <c>_count</c> a record's searches ask per page (at most <see cref="MaxResourcesPerType"/>): the
    /// server clamps it to its own maximum (Medplum 1,000; HAPI 500 unless configured) and the reader follows
    /// <c>next</c> links. Patient lists ask 100 per page.</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 1000;

    [Range(1, 500)]
    public int DemoPatientCount { get; set; } = 12;

    /// <summary>Ids per batched look-up: <c>_id=a,b,…</c> for the resources a record refers to, and
    /// <c>subject=Patient/a,…</c> for the patient list's ongoing encounters (batches run together). Smaller keeps URLs
    /// short and some servers' query plans fast; a batch the server refuses as too long (HTTP 414) is split in half and
    /// sent again, down to single ids, so a server with a short URL limit still answers.</summary>
    [Range(1, 200)]
    public int LookupBatchSize { get; set; } = 25;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        switch (Source)
        {
            case FhirSourceKind.Directory:
                if (string.IsNullOrWhiteSpace(DirectoryPath))
                {
                    yield return new ValidationResult("Fhir:DirectoryPath is required when Fhir:Source is Directory.", [nameof(DirectoryPath)]);
                }
                else if (!System.IO.Directory.Exists(DirectoryPath))
                {
                    yield return new ValidationResult("Fhir:DirectoryPath does not name an existing folder.", [nameof(DirectoryPath)]);
                }
                break;

            case FhirSourceKind.Server:
                if (!Uri.TryCreate(ServerBaseUrl, UriKind.Absolute, out var uri)
                    || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
                {
                    yield return new ValidationResult("Fhir:ServerBaseUrl must be an absolute http(s) URL when Fhir:Source is Server.", [nameof(ServerBaseUrl)]);
                }
                else if ((!string.IsNullOrEmpty(BearerToken) || Auth != FhirAuthMode.None) && uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
                {
                    // A bearer token over plain HTTP to another host would travel in clear text.
                    yield return new ValidationResult("Fhir:BearerToken may only be sent over https (or to a loopback address).", [nameof(BearerToken)]);
                }
                else if (Auth == FhirAuthMode.Bearer && string.IsNullOrWhiteSpace(BearerToken))
                {
                    yield return new ValidationResult("Fhir:BearerToken is required when Fhir:Auth is Bearer.", [nameof(BearerToken)]);
                }
                else if (Auth == FhirAuthMode.SmartBackend)
                {
                    if (string.IsNullOrWhiteSpace(Smart.ClientId))
                    {
                        yield return new ValidationResult("Fhir:Smart:ClientId is required when Fhir:Auth is SmartBackend.", [nameof(Smart)]);
                    }

                    if (string.IsNullOrWhiteSpace(Smart.PrivateKeyPath) && string.IsNullOrWhiteSpace(Smart.PrivateKeyPem))
                    {
                        yield return new ValidationResult("Fhir:Smart:PrivateKeyPath (or PrivateKeyPem) is required when Fhir:Auth is SmartBackend.", [nameof(Smart)]);
                    }

                    if (Smart.Algorithm is not ("RS384" or "ES384"))
                    {
                        yield return new ValidationResult("Fhir:Smart:Algorithm must be RS384 or ES384.", [nameof(Smart)]);
                    }
                }
                break;

            case FhirSourceKind.Demo:
                break;

            default:
                yield return new ValidationResult($"Fhir:Source must be one of {string.Join(", ", Enum.GetNames<FhirSourceKind>())}.", [nameof(Source)]);
                break;
        }
    }
}

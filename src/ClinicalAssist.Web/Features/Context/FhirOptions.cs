using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Which <see cref="IPatientRecordSource"/> serves patient records.</summary>
public enum FhirSourceKind
{
    /// <summary>Synthetic patients generated in-process (no PHI; the default).</summary>
    Demo,

    /// <summary>A folder of FHIR R4 Bundle JSON files (e.g. Synthea output).</summary>
    Directory,

    /// <summary>A FHIR R4 server reached over HTTP(S).</summary>
    Server,
}

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

    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Upper bound on the search pages followed per resource type (protects against runaway paging).</summary>
    [Range(1, 1000)]
    public int MaxPages { get; set; } = 50;

    /// <summary>The <c>_count</c> asked of the server per page.</summary>
    [Range(1, 1000)]
    public int PageSize { get; set; } = 100;

    [Range(1, 500)]
    public int DemoPatientCount { get; set; } = 12;

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
                else if (!string.IsNullOrEmpty(BearerToken) && uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
                {
                    // A bearer token over plain HTTP to another host would travel in clear text.
                    yield return new ValidationResult("Fhir:BearerToken may only be sent over https (or to a loopback address).", [nameof(BearerToken)]);
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

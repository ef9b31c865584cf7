using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Section "CircuitOrigin": origins besides the app's own that may open a live page (circuit). Needed only
/// when a proxy changes the Host header on its way to the app (e.g. "https://clinicalassist.hospital.org").</summary>
public sealed class CircuitOriginOptions : IValidatableObject
{
    public const string Section = "CircuitOrigin";

    public string[] AdditionalOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var origin in AdditionalOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.AbsolutePath != "/")
                yield return new($"CircuitOrigin:AdditionalOrigins: '{origin}' is not an origin like https://host[:port].", [nameof(AdditionalOrigins)]);
        }
    }
}

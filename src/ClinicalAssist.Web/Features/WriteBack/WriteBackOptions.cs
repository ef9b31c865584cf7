using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Features.WriteBack;

/// <summary>
/// Configuration section "Fhir:WriteBack": writing signed summaries back to the FHIR server configured in "Fhir"
/// (Source = Server), with AI transparency labels and Provenance. Off by default.
/// </summary>
public sealed class WriteBackOptions : IValidatableObject
{
    public const string SectionName = "Fhir:WriteBack";

    public bool Enabled { get; set; }

    public WriteBackDocumentKind DocumentKind { get; set; } = WriteBackDocumentKind.Composition;

    /// <summary>Signing users mapped to existing Practitioner resources: user e-mail → "Practitioner/{id}".</summary>
    public Dictionary<string, string> PractitionerReferences { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>For users not in <see cref="PractitionerReferences"/>: a Practitioner is created once (conditional create)
    /// with an identifier in this system whose value is the user's e-mail.</summary>
    [Required]
    public string PractitionerIdentifierSystem { get; set; } = "urn:clinicalassist:user-email";

    /// <summary>Shown as the AI Device's owner (the deploying organisation).</summary>
    [Required, MaxLength(200)]
    public string DeviceOwner { get; set; } = "ClinicalAssist deployment";

    /// <summary>Validate every generated resource against the base R4 specification before sending.</summary>
    public bool ValidateBeforeSending { get; set; } = true;

    [Range(1, 50)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>First retry delay; doubles per attempt up to <see cref="MaxBackoffSeconds"/> (a server's Retry-After wins when longer).</summary>
    [Range(1, 3600)]
    public int InitialBackoffSeconds { get; set; } = 15;

    [Range(1, 86400)]
    public int MaxBackoffSeconds { get; set; } = 1800;

    /// <summary>How often the queue is checked for due writes.</summary>
    [Range(100, 600_000)]
    public int PollIntervalMilliseconds { get; set; } = 5000;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (user, reference) in PractitionerReferences)
        {
            if (!reference.StartsWith("Practitioner/", StringComparison.Ordinal) || reference.Length <= "Practitioner/".Length)
            {
                yield return new ValidationResult(
                    $"Fhir:WriteBack:PractitionerReferences for \"{user}\" must look like Practitioner/<id>.",
                    [nameof(PractitionerReferences)]);
            }
        }
        if (MaxBackoffSeconds < InitialBackoffSeconds)
        {
            yield return new ValidationResult("Fhir:WriteBack:MaxBackoffSeconds must not be less than InitialBackoffSeconds.",
                [nameof(MaxBackoffSeconds)]);
        }
    }
}

using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>SMART Backend Services client settings ("Fhir:Smart").</summary>
public sealed class SmartBackendOptions
{
    public string? ClientId { get; set; }

    /// <summary>PEM file with the client's private key (RSA for RS384, P-384 EC for ES384). Preferred over <see cref="PrivateKeyPem"/>.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>The PEM text itself (a secret: environment or key vault only).</summary>
    public string? PrivateKeyPem { get; set; }

    /// <summary>RS384 or ES384.</summary>
    public string Algorithm { get; set; } = "RS384";

    /// <summary>The "kid" of the key in the client's registered JWKS.</summary>
    public string? KeyId { get; set; }

    public string Scope { get; set; } = "system/Patient.rs system/Encounter.rs system/Condition.rs system/Observation.rs system/MedicationRequest.rs system/MedicationStatement.rs system/Medication.rs system/AllergyIntolerance.rs system/Procedure.rs system/DiagnosticReport.rs system/DocumentReference.rs system/Binary.r system/Immunization.rs system/CarePlan.rs system/Goal.rs system/Location.rs";

    /// <summary>Optional explicit token URL; when empty it is read from {base}/.well-known/smart-configuration.</summary>
    public string? TokenUrl { get; set; }
}

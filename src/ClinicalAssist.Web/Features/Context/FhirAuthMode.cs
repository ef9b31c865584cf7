using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>How the Server source authenticates to the FHIR server.</summary>
public enum FhirAuthMode
{
    /// <summary>No Authorization header (or <see cref="FhirOptions.BearerToken"/> when one is set, for compatibility).</summary>
    None,

    /// <summary>A static bearer token (<see cref="FhirOptions.BearerToken"/>).</summary>
    Bearer,

    /// <summary>SMART Backend Services: client_credentials with a private_key_jwt assertion (RS384 or ES384).</summary>
    SmartBackend,

    /// <summary>Azure managed identity / Entra ID (Azure Health Data Services) through Azure.Identity.</summary>
    AzureManagedIdentity,
}

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

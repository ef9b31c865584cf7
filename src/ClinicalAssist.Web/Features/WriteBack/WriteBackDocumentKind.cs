using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Features.WriteBack;

/// <summary>What a signed summary is written as.</summary>
public enum WriteBackDocumentKind
{
    /// <summary>A FHIR document Composition (status final, the clinician as legal attester).</summary>
    Composition,

    /// <summary>A DocumentReference with the signed text as a markdown attachment.</summary>
    DocumentReference,
}

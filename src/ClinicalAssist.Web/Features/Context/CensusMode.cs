using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Where the Server source's rounds list (census) comes from.</summary>
public enum CensusMode
{
    /// <summary>Patients with an in-progress Encounter (optionally at <see cref="CensusOptions.Location"/> or for
    /// <see cref="CensusOptions.ServiceProvider"/>).</summary>
    Encounters,

    /// <summary>The Patient entries of FHIR List <see cref="CensusOptions.ListId"/>.</summary>
    List,

    /// <summary>The Patient members of FHIR Group <see cref="CensusOptions.GroupId"/>.</summary>
    Group,
}

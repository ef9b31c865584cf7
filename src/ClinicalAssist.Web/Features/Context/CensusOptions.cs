using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>"Fhir:Census": the rounds list of the Server source.</summary>
public sealed class CensusOptions
{
    public CensusMode Mode { get; set; } = CensusMode.Encounters;

    /// <summary>Location id (e.g. a ward) for <see cref="CensusMode.Encounters"/>.</summary>
    public string? Location { get; set; }

    /// <summary>Organization id (the service) for <see cref="CensusMode.Encounters"/>.</summary>
    public string? ServiceProvider { get; set; }

    public string? ListId { get; set; }

    public string? GroupId { get; set; }
}

using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>One analyte's values over the window, oldest first, for a trend chart.</summary>
public sealed record LabSeries(string Key, string Display, string? Unit, IReadOnlyList<ContextObservation> Points);

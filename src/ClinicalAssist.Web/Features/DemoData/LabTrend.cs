namespace ClinicalAssist.Web.Features.DemoData;

/// <summary>How a lab moves over the stay: <see cref="Points"/> are spread evenly from admission (first) to
/// the anchor (last) and interpolated linearly; a single point is a flat line.</summary>
internal sealed record LabTrend(LabTest Test, LabSchedule Schedule, params decimal[] Points);

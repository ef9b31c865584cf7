using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>A CarePlan or a Goal (<see cref="Kind"/> is "CarePlan" or "Goal").</summary>
public sealed record ContextCarePlan(
    ResourceRef Source, string Kind, string Display, string Status, DateTimeOffset? Start, IReadOnlyList<string> Activities);

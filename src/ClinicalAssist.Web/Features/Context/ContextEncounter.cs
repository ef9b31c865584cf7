using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

public sealed record ContextEncounter(ResourceRef Source, string Status, string Class, string? Reason, string? Location, DateTimeOffset? Start);

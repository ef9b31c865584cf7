using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

public sealed record ContextObservationComponent(string Display, string? Loinc, decimal? Value, string? Unit);

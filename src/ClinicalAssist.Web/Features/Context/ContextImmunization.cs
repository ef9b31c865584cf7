using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

public sealed record ContextImmunization(ResourceRef Source, string Vaccine, string? Cvx, string Status, DateTimeOffset? Occurrence);

using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

public sealed record ContextProcedure(ResourceRef Source, string Display, string? Snomed, string Status, DateTimeOffset? Performed);

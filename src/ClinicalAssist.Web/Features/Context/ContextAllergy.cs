using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

public sealed record ContextAllergy(
    ResourceRef Source, string Substance, string? Criticality, string ClinicalStatus, IReadOnlyList<string> Reactions);

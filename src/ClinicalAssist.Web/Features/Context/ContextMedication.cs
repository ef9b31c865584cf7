using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

public sealed record ContextMedication(
    ResourceRef Source, string Display, string? RxNorm, string Status, string? Dosage, DateTimeOffset? AuthoredOn,
    string? StatusReason = null);

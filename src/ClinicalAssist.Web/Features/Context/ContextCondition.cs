using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

public sealed record ContextCondition(
    ResourceRef Source, string Display, string? Snomed, string? Icd10,
    string ClinicalStatus, string VerificationStatus, DateTimeOffset? Onset);

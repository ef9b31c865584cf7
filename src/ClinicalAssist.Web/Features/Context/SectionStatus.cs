using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

public sealed record SectionStatus(string Section, SectionState State, int Count, string? Message = null);

namespace ClinicalAssist.Web.Features.DemoData;

internal sealed record AllergySpec(
    string Text,
    string System,
    string Code,
    string Display,
    string Category,
    string Criticality,
    string ManifestationSnomed,
    string ManifestationDisplay,
    string Type = "allergy");

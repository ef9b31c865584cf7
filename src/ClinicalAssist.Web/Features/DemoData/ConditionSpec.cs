namespace ClinicalAssist.Web.Features.DemoData;

/// <summary>A condition coded in both SNOMED CT and ICD-10-CM.</summary>
internal sealed record ConditionSpec(
    ConditionRole Role,
    string Text,
    string Snomed,
    string SnomedDisplay,
    string Icd10,
    string Icd10Display,
    string Verification = "confirmed",
    int OnsetYearsAgo = 0);

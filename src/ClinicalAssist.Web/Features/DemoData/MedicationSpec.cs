namespace ClinicalAssist.Web.Features.DemoData;

internal sealed record MedicationSpec(
    string Text,
    string RxNorm,
    string RxNormDisplay,
    string Dosage,
    MedStatus Status = MedStatus.Active,
    string? StatusReason = null);

namespace ClinicalAssist.Web.Features.DemoData;

internal enum DemoSex { Any, Female, Male }

internal enum ConditionRole
{
    /// <summary>The reason for admission (encounter-diagnosis, onset shortly before admission).</summary>
    Admission,
    /// <summary>A further diagnosis made during this encounter (encounter-diagnosis).</summary>
    Encounter,
    /// <summary>A long-standing problem (problem-list-item, onset years ago).</summary>
    Comorbidity,
    /// <summary>A past problem that has resolved (problem-list-item, clinicalStatus resolved).</summary>
    Resolved,
}

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

internal enum LabSchedule
{
    /// <summary>Drawn once, in the emergency department.</summary>
    Once,
    /// <summary>On admission, then each morning.</summary>
    Daily,
    /// <summary>On admission, then morning and evening.</summary>
    TwiceDaily,
}

/// <summary>How a lab moves over the stay: <see cref="Points"/> are spread evenly from admission (first) to
/// the anchor (last) and interpolated linearly; a single point is a flat line.</summary>
internal sealed record LabTrend(LabTest Test, LabSchedule Schedule, params decimal[] Points);

/// <summary>Vital sign trajectories, each spread over the stay like <see cref="LabTrend.Points"/>.</summary>
internal sealed record VitalTrends(
    decimal[] HeartRate,
    decimal[] RespiratoryRate,
    decimal[] Temperature,
    decimal[] SpO2,
    decimal[] Systolic,
    decimal[] Diastolic);

internal enum MedStatus { Active, Stopped, Completed }

internal sealed record MedicationSpec(
    string Text,
    string RxNorm,
    string RxNormDisplay,
    string Dosage,
    MedStatus Status = MedStatus.Active,
    string? StatusReason = null);

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

/// <summary>One medical-ward story. Note templates use tokens resolved against the generated data:
/// {title} {last} {age} {sex} {he} {He} {his} {His} {him} {day} {bed} {collateral},
/// {lab:KEY} (latest result at note time), {lab0:KEY} (first result), {labmax:KEY}/{labmin:KEY} (extremes so far),
/// {vs:KEY} and {vs0:KEY} for vitals
/// (HR, RR, Temp, SpO2, BP).</summary>
internal sealed record Scenario(
    string Key,
    string AdmissionReason,
    int MinAge,
    int MaxAge,
    DemoSex Sex,
    IReadOnlyList<ConditionSpec> Conditions,
    IReadOnlyList<LabTrend> Labs,
    VitalTrends Vitals,
    IReadOnlyList<MedicationSpec> Medications,
    IReadOnlyList<AllergySpec> Allergies,
    string AdmissionNote,
    IReadOnlyList<string> ProgressNotes);

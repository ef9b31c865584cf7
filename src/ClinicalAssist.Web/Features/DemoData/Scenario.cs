namespace ClinicalAssist.Web.Features.DemoData;

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

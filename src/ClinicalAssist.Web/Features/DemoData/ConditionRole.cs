namespace ClinicalAssist.Web.Features.DemoData;

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

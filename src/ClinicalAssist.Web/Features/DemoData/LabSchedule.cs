namespace ClinicalAssist.Web.Features.DemoData;

internal enum LabSchedule
{
    /// <summary>Drawn once, in the emergency department.</summary>
    Once,
    /// <summary>On admission, then each morning.</summary>
    Daily,
    /// <summary>On admission, then morning and evening.</summary>
    TwiceDaily,
}

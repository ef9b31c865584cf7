using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Section "WorkLeases": how long an instance's claim on a piece of background work holds without renewal.
/// The owner renews every third of it; after a crash another instance takes the work over once it ran out.</summary>
public sealed class WorkLeaseOptions
{
    public const string Section = "WorkLeases";

    [Range(typeof(TimeSpan), "00:00:03", "00:10:00")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RenewEvery => Duration / 3;
}

namespace ClinicalAssist.Data;

/// <summary>Who is doing one piece of background work right now (a streaming draft, a rounds item, a FHIR write):
/// the owning app instance and until when its claim holds. The owner renews it while it works; another instance may
/// take the work over only after it expired.</summary>
public sealed class WorkLease
{
    /// <summary>What kind of work ("draft", "rounds-item", "fhir-write", …): <c>WorkKinds</c>.</summary>
    public string Kind { get; set; } = "";
    /// <summary>The work's own id (the draft's, the item's, the write's).</summary>
    public string WorkId { get; set; } = "";
    /// <summary>The owning instance (<c>InstanceIdentity</c>).</summary>
    public string Owner { get; set; } = "";
    public DateTimeOffset ExpiresAt { get; set; }
}

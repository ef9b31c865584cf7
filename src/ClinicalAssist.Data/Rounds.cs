namespace ClinicalAssist.Data;

/// <summary>A clinician's change to their rounds list: a patient added by hand (<see cref="Included"/> true) or a
/// census patient taken off the list (false). One row per clinician and patient.</summary>
public class RoundsListEntry
{
    public Guid Id { get; set; }
    public required string ClinicianId { get; set; }
    public required string PatientId { get; set; }
    public bool Included { get; set; }
    public DateTimeOffset ChangedAt { get; set; }
}

/// <summary>Where a "Prepare drafts" batch stands.</summary>
public enum RoundsBatchStatus
{
    Running = 0,
    Completed = 1,
    Cancelled = 2,
}

/// <summary>Where one patient of a batch stands.</summary>
public enum RoundsItemStatus
{
    Pending = 0,
    Running = 1,
    /// <summary>A new draft was generated.</summary>
    Ready = 2,
    /// <summary>The record did not change since the last draft: that draft is kept, none generated.</summary>
    Unchanged = 3,
    /// <summary>Failed (the draft, if any, is stored as Failed): retryable by hand.</summary>
    Failed = 4,
    Cancelled = 5,
}

/// <summary>"Prepare drafts" for a clinician's rounds list: run in the background, resumed after a restart.</summary>
public class RoundsBatch
{
    public Guid Id { get; set; }
    public required string ClinicianId { get; set; }
    public required string ClinicianName { get; set; }
    public RoundsBatchStatus Status { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public List<RoundsBatchItem> Items { get; set; } = [];

    /// <summary>Optimistic concurrency token, renewed on every save.</summary>
    public Guid Version { get; set; }
}

/// <summary>One patient of a <see cref="RoundsBatch"/>.</summary>
public class RoundsBatchItem
{
    public Guid Id { get; set; }
    public Guid BatchId { get; set; }
    public RoundsBatch? Batch { get; set; }
    /// <summary>Position on the rounds list (bed order).</summary>
    public int Position { get; set; }
    public required string PatientId { get; set; }
    public RoundsItemStatus Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>The draft this item produced or kept (unchanged record).</summary>
    public Guid? DraftId { get; set; }
    /// <summary>SHA-256 of the record's resource ids, versions and lastUpdated (content hash when unversioned).</summary>
    public string? RecordFingerprint { get; set; }
    /// <summary>For a failed item: what happened (no patient data).</summary>
    public string? Message { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

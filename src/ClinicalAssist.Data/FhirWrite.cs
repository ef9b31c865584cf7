namespace ClinicalAssist.Data;

/// <summary>Where the write-back of one signed draft to the FHIR server stands.</summary>
public enum FhirWriteStatus
{
    /// <summary>Queued or waiting for its next attempt.</summary>
    Pending = 0,

    /// <summary>The server accepted the transaction; the ids it assigned are stored.</summary>
    Written = 1,

    /// <summary>Gave up (validation error, a refusal the server will repeat, or too many attempts): an admin may retry.</summary>
    Failed = 2,

    /// <summary>An admin cancelled the write; the sign-off itself is untouched.</summary>
    Cancelled = 3,
}

/// <summary>
/// The queued write of a signed draft (document + AI Device + Provenance) to the FHIR server. Created in the same
/// transaction as the sign-off, so a failing server never loses a signature; retried with back-off until written.
/// </summary>
public class FhirWrite
{
    public Guid Id { get; set; }
    public Guid DraftId { get; set; }
    public Draft? Draft { get; set; }
    public FhirWriteStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public DateTimeOffset? WrittenAt { get; set; }

    /// <summary>Why the last attempt failed (no patient data: status codes and validation messages only).</summary>
    public string? LastError { get; set; }

    /// <summary>Server ids once written, e.g. "Composition/123/_history/1".</summary>
    public string? DocumentReference { get; set; }
    public string? ProvenanceReference { get; set; }
    public string? DeviceReference { get; set; }

    /// <summary>Who cancelled or last retried it by hand.</summary>
    public string? ChangedByName { get; set; }

    /// <summary>Optimistic concurrency token, renewed on every save.</summary>
    public Guid Version { get; set; }
}

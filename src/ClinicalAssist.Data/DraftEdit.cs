namespace ClinicalAssist.Data;

/// <summary>
/// A clinician's edit of an unsigned draft as they type it, saved before they sign (debounced), so that moving to the
/// next patient, a crash, a restart or the idle sign-out loses nothing. One row per draft and clinician; removed when
/// the draft is signed or rejected (in the decision's own transaction) or when the clinician discards the edit. It is
/// a working copy, never the record: only <see cref="Draft.SignedText"/> counts.
/// </summary>
public class DraftEdit
{
    public Guid Id { get; set; }
    public Guid DraftId { get; set; }
    public required string UserId { get; set; }
    /// <summary>The draft's <see cref="Draft.Version"/> when the edit was saved: a different one means the draft
    /// changed since (e.g. it was taken over), and the clinician is told so when the edit is restored.</summary>
    public Guid DraftVersion { get; set; }
    public string Text { get; set; } = "";
    public DateTimeOffset SavedAt { get; set; }
}

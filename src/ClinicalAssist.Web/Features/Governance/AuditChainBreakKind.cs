namespace ClinicalAssist.Web.Features.Governance;

/// <summary>What is wrong at the first broken link of the audit chain.</summary>
public enum AuditChainBreakKind
{
    /// <summary>The row's fields no longer give its stored hash: it was changed after it was written.</summary>
    Edited,
    /// <summary>Sequence numbers are missing (and no retention checkpoint covers them): rows were deleted.</summary>
    Deleted,
    /// <summary>The row does not follow the one before it: rows were moved, inserted, removed and renumbered, or the
    /// row before was changed and given a new hash.</summary>
    Relinked,
    /// <summary>The row was stored after the chain began but has no hash.</summary>
    Unsealed,
    /// <summary>Rows written before the chain existed are not as they were when the chain was anchored.</summary>
    LegacyChanged,
}

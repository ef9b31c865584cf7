namespace ClinicalAssist.Web.Features.Governance;

/// <summary>The first broken link: the row (sequence and id) where verification stopped, and why in plain words.</summary>
public sealed record AuditChainBreak(long Sequence, long Id, AuditChainBreakKind Kind, string Message);

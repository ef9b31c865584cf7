namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>A critical warning the clinician acknowledged at sign-off (kept with the signed draft).</summary>
public sealed record AcknowledgedWarning(string Kind, string Message, string? CitationKey, DateTimeOffset At);

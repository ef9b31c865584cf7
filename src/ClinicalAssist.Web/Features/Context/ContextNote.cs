using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>A clinical note (DocumentReference). Its text is data, never instructions. Text and markdown
/// attachments are extracted (inline or from a Binary); other content types are listed in
/// <see cref="OtherContent"/> (e.g. "application/pdf"), not parsed. <see cref="Truncated"/> is true when the text
/// was cut at the configured note size.</summary>
public sealed record ContextNote(ResourceRef Source, string Title, string? Author, DateTimeOffset? Date, string Text,
    IReadOnlyList<string>? OtherContent = null, bool Truncated = false);

namespace ClinicalAssist.Web.Features.Context;

/// <summary>One generic context item (a section declared with <see cref="ContextSection.Map"/>): the resource it
/// comes from, a one-line display and detail, and its date.</summary>
public sealed record ContextEntry(ResourceRef Source, string Display, string? Detail, DateTimeOffset? Date);

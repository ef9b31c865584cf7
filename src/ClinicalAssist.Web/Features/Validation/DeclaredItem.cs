namespace ClinicalAssist.Web.Features.Validation;

/// <summary>A must-include item a case declares: the answer must cite <see cref="CitationKey"/>.</summary>
public sealed record DeclaredItem(string Kind, string Description, string CitationKey);

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>The outcome of a change to evaluation sets or runs, in words an admin can act on.</summary>
public sealed record SetChangeResult(bool Succeeded, string Message, Guid? Id = null);

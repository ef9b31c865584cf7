namespace ClinicalAssist.Web.Features.Governance;

/// <summary>Thrown by an operation that returns no result of its own (generating a draft) when
/// <see cref="AuthorityCheck"/> refused the acting user; the message is in plain words for the page.</summary>
public sealed class AuthorityRefusedException(string message) : Exception(message);

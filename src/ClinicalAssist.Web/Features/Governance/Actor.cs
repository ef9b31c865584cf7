using System.Security.Claims;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>Who did something: the user id and display name recorded with every audit event and decision.</summary>
/// <summary>Who acts. <paramref name="SessionId"/> is the sign-in session the action comes through (null for the
/// system and background work): an action through a session that has ended is refused (<see cref="AuthorityCheck"/>).</summary>
public sealed record Actor(string Id, string Name, string? SessionId = null)
{
    public static Actor From(ClaimsPrincipal principal) => new(
        principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The user is not signed in."),
        principal.FindFirstValue(ClinicalAssistClaims.DisplayName) ?? principal.Identity?.Name ?? "unknown",
        principal.FindFirstValue(ClinicalAssistClaims.SessionId));
}

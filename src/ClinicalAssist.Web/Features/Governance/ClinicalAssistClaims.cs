using System.Security.Claims;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

public static class ClinicalAssistClaims
{
    public const string DisplayName = "clinicalassist:display_name";
    /// <summary>The sign-in session's id, in the sign-in cookie (see Infrastructure/SignInSessions).</summary>
    public const string SessionId = "clinicalassist:sid";
}

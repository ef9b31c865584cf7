using Microsoft.AspNetCore.Identity;

namespace ClinicalAssist.Data;

/// <summary>A clinician, reviewer or admin. Accounts are created by an admin, never self-registered.</summary>
public class ApplicationUser : IdentityUser
{
    /// <summary>Name shown on drafts, sign-offs and decisions (e.g. "Dr Ada Clinician").</summary>
    [PersonalData]
    public string DisplayName { get; set; } = "";

    /// <summary>A disabled account cannot sign in; its history stays.</summary>
    public bool IsDisabled { get; set; }
}

public static class Roles
{
    public const string Clinician = nameof(Clinician);
    public const string Reviewer = nameof(Reviewer);
    public const string Admin = nameof(Admin);

    public static readonly IReadOnlyList<string> All = [Clinician, Reviewer, Admin];
}

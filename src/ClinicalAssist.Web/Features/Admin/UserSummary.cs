using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Admin;

/// <summary>One row of the users page.</summary>
public sealed record UserSummary(
    string Id, string Email, string DisplayName, IReadOnlyList<string> Roles,
    bool IsDisabled, bool IsLockedOut, bool PasswordChangeRequired)
{
    public string State => IsDisabled ? "Disabled" : IsLockedOut ? "Locked" : "Active";
}

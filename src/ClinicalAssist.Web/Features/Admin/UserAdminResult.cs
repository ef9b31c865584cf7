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

/// <summary>Outcome of an admin action; <see cref="TemporaryPassword"/> is shown once to the admin, never stored or logged.</summary>
public sealed record UserAdminResult(bool Succeeded, string Message, string? TemporaryPassword = null)
{
    public static UserAdminResult Fail(string message) => new(false, message);
}

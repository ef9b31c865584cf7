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

/// <summary>What an admin enters to create an account. With no <see cref="InitialPassword"/> a temporary one is
/// generated (shown once) and the user must change it at first sign-in; <see cref="RequirePasswordChange"/> asks the
/// same for an entered password.</summary>
public sealed record NewUser(string Email, string DisplayName, IReadOnlyCollection<string> Roles, string? InitialPassword, bool RequirePasswordChange);

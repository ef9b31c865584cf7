using System.Security.Claims;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Components.Account;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Authorization policy names used by pages (<c>@attribute [Authorize(Policy = Policies.X)]</c>).</summary>
public static class Policies
{
    public const string Clinician = "Clinician";
    public const string Reviewer = "Reviewer";
    public const string Admin = "Admin";
    /// <summary>Who may open a chart and its drafts: clinicians and reviewers.</summary>
    public const string ChartReader = "ChartReader";
}

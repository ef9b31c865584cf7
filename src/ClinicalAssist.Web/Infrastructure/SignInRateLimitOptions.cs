using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Section "SignInRateLimit": sign-in form posts allowed per client address per minute (the lock-out after
/// failed passwords protects each account; this protects the service from password spraying).</summary>
public sealed class SignInRateLimitOptions
{
    public const string Section = "SignInRateLimit";

    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int PermitsPerMinute { get; set; } = 20;
}

using System.Security.Claims;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Web;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// Section "EntraId": sign-in with Microsoft Entra ID (OpenID Connect through Microsoft.Identity.Web), off by
/// default. The app registration itself is configured in the standard section "AzureAd" (Instance, TenantId,
/// ClientId, ClientSecret or a certificate, CallbackPath). <see cref="Roles"/> maps the token's app roles ("roles"
/// claim) or security-group object ids ("groups" claim) to Clinician / Reviewer / Admin.
/// </summary>
public sealed class EntraIdOptions
{
    public const string Section = "EntraId";

    public bool Enabled { get; set; }

    /// <summary>Text of the sign-in button.</summary>
    public string DisplayName { get; set; } = "Microsoft Entra ID";

    /// <summary>Product role → app-role values or group object ids that grant it. Defaults: the app roles named
    /// Clinician, Reviewer and Admin.</summary>
    public Dictionary<string, string[]> Roles { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The mapping in force: configured entries, or each product role mapped from the app role of the same name.</summary>
    public IReadOnlyDictionary<string, string[]> EffectiveRoles() =>
        Data.Roles.All.ToDictionary(r => r, r => Roles.TryGetValue(r, out var values) && values.Length > 0 ? values : [r], StringComparer.Ordinal);
}

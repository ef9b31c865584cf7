using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Section "ForwardedHeaders": the reverse proxies (Azure Front Door / App Gateway / Container Apps or App
/// Service front ends, nginx…) whose X-Forwarded-For and X-Forwarded-Proto are believed. Loopback is always trusted;
/// any other address only when listed. Forwarded headers from an unlisted peer are ignored, so a client cannot pick
/// its own address (for the sign-in rate limit, the audit trail) or pretend to be on HTTPS.</summary>
public sealed class ForwardedHeadersSettings : IValidatableObject
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Single proxy addresses, e.g. "10.0.0.4".</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. "10.0.0.0/16" (an Azure VNet subnet of the front end).</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in front of the app append to X-Forwarded-For (1: one proxy, e.g. App Gateway).</summary>
    [Range(1, 10)]
    public int ForwardLimit { get; set; } = 1;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var proxy in KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
            yield return new ValidationResult($"ForwardedHeaders:KnownProxies: '{proxy}' is not an IP address.", [nameof(KnownProxies)]);
        foreach (var network in KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
            yield return new ValidationResult($"ForwardedHeaders:KnownNetworks: '{network}' is not a network in CIDR notation (e.g. 10.0.0.0/16).", [nameof(KnownNetworks)]);
    }
}

using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Section "Https": redirect to HTTPS and send HSTS for every host that is not loopback.</summary>
public sealed class HttpsSettings
{
    public const string Section = "Https";

    /// <summary>Off only when TLS ends somewhere that does not forward X-Forwarded-Proto (then the proxy must redirect).</summary>
    public bool RedirectAndHsts { get; set; } = true;

    /// <summary>The public HTTPS port browsers use (443 behind Azure front ends).</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 443;

    [Range(1, 3650)]
    public int HstsMaxAgeDays { get; set; } = 365;
}

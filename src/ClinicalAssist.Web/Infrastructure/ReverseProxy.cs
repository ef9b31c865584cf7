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

public static class ReverseProxyExtensions
{
    public static IHostApplicationBuilder AddReverseProxySupport(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ForwardedHeadersSettings>().BindConfiguration(ForwardedHeadersSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<HttpsSettings>().BindConfiguration(HttpsSettings.Section).ValidateDataAnnotations().ValidateOnStart();

        var forwarded = builder.Configuration.GetSection(ForwardedHeadersSettings.Section).Get<ForwardedHeadersSettings>() ?? new();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.ForwardLimit = forwarded.ForwardLimit;
            // The defaults trust loopback only; add what the deployment names. Invalid entries stop the app on start
            // (validation above), they are skipped here.
            foreach (var proxy in forwarded.KnownProxies)
            {
                if (IPAddress.TryParse(proxy, out var address)) options.KnownProxies.Add(address);
            }
            foreach (var network in forwarded.KnownNetworks)
            {
                if (System.Net.IPNetwork.TryParse(network, out var parsed)) options.KnownIPNetworks.Add(parsed);
            }
        });

        var https = builder.Configuration.GetSection(HttpsSettings.Section).Get<HttpsSettings>() ?? new();
        builder.Services.Configure<HttpsRedirectionOptions>(o =>
        {
            o.HttpsPort = https.Port;
            o.RedirectStatusCode = StatusCodes.Status307TemporaryRedirect;
        });
        builder.Services.Configure<HstsOptions>(o =>
        {
            o.MaxAge = TimeSpan.FromDays(https.HstsMaxAgeDays);
            o.IncludeSubDomains = false; // the hospital's other hosts are not ours to decide
        });
        return builder;
    }

    /// <summary>First in the pipeline: the client's address and scheme as the trusted proxy saw them; then, for
    /// non-loopback hosts, HTTPS redirection (health probes excepted: platforms probe the container over HTTP) and HSTS.</summary>
    public static WebApplication UseReverseProxySupport(this WebApplication app)
    {
        app.UseForwardedHeaders();
        var https = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HttpsSettings>>().Value;
        if (https.RedirectAndHsts)
        {
            app.UseWhen(http => !IsLoopbackHost(http.Request.Host) && !http.Request.Path.StartsWithSegments("/health"),
                branch => branch.UseHttpsRedirection());
            app.UseHsts(); // only on HTTPS responses, and never for localhost / 127.0.0.1 / [::1]
        }
        return app;
    }

    /// <summary>The browser asked for localhost or a loopback address (development, tests, a local proxy hop).</summary>
    public static bool IsLoopbackHost(HostString host)
    {
        if (!host.HasValue) return true;
        var name = host.Host;
        if (string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(name.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address);
    }
}

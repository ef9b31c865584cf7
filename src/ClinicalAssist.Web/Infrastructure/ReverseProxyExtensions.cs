using System.ComponentModel.DataAnnotations;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.HttpsPolicy;

namespace ClinicalAssist.Web.Infrastructure;

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

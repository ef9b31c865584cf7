using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// Cross-site WebSocket hijacking guard: the live page's endpoint (/_blazor: negotiate, WebSocket, long polling) is
/// refused with 403 when the browser says the page that opens it comes from another origin. Browsers always send Origin
/// on WebSocket and cross-origin requests; a request without one is not a browser acting for another site.
/// </summary>
public static class CircuitOriginCheck
{
    public const string CircuitPath = "/_blazor";

    public static IHostApplicationBuilder AddCircuitOriginCheck(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CircuitOriginOptions>().BindConfiguration(CircuitOriginOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return builder;
    }

    public static WebApplication UseCircuitOriginCheck(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (http.Request.Path.StartsWithSegments(CircuitPath)
                && http.Request.Headers.Origin is { Count: > 0 } origin
                && !IsAllowed(origin.ToString(), http.Request, http.RequestServices.GetRequiredService<IOptions<CircuitOriginOptions>>().Value))
            {
                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CircuitOriginCheck).FullName!)
                    .LogWarning("Live-page connection refused: its Origin is not this app's.");
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }
            await next(http);
        });
        return app;
    }

    internal static bool IsAllowed(string origin, HttpRequest request, CircuitOriginOptions options)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var from)) return false;
        var own = new UriBuilder(request.Scheme, request.Host.Host, request.Host.Port ?? -1).Uri;
        return SameOrigin(from, own) || options.AdditionalOrigins.Any(o => Uri.TryCreate(o, UriKind.Absolute, out var allowed) && SameOrigin(from, allowed));
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;
}

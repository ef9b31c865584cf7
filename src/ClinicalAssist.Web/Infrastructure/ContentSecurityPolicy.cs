using System.Security.Cryptography;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// Security headers on every response. The Content-Security-Policy allows scripts from this origin plus inline
/// scripts carrying this response's nonce (Blazor's &lt;ImportMap/&gt; is an inline importmap script, see App.razor);
/// never 'unsafe-eval' or 'unsafe-inline' for scripts. Styles allow 'unsafe-inline' because MudBlazor sets style
/// attributes and a theme &lt;style&gt; element (a nonce in style-src would switch 'unsafe-inline' off).
/// frame-ancestors 'none' (and X-Frame-Options DENY for old browsers): the app is never framed.
/// </summary>
public static class ContentSecurityPolicy
{
    private const string NonceKey = "ClinicalAssist.CspNonce";

    /// <summary>Origins a form may post or redirect to besides this one (the OpenID Connect authority, when on).</summary>
    public sealed class FormTargets
    {
        public List<string> Origins { get; } = [];
    }

    /// <summary>The nonce of the current response (created on first use).</summary>
    public static string GetNonce(HttpContext http)
    {
        if (http.Items[NonceKey] is string nonce) return nonce;
        // 128 random bits as hex: valid in a CSP nonce and never HTML-encoded in the attribute ('+' would be).
        nonce = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        http.Items[NonceKey] = nonce;
        return nonce;
    }

    public static string Build(string nonce, IEnumerable<string> formTargets) =>
        string.Join("; ",
            "default-src 'self'",
            $"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action " + string.Join(' ', new[] { "'self'" }.Concat(formTargets)),
            "frame-ancestors 'none'");

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        var formTargets = app.Services.GetService<FormTargets>()?.Origins ?? [];
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = Build(GetNonce(context), formTargets);
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            await next();
        });
        return app;
    }
}

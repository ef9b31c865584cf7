using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using ClinicalAssist.Data;

namespace ClinicalAssist.Web.Components.Account;

internal sealed class IdentityRedirectManager(NavigationManager navigationManager)
{
    public const string StatusCookieName = "Identity.StatusMessage";

    private static readonly CookieBuilder StatusCookieBuilder = new()
    {
        SameSite = SameSiteMode.Strict,
        HttpOnly = true,
        IsEssential = true,
        MaxAge = TimeSpan.FromSeconds(5),
    };

    public void RedirectTo(string? uri) => navigationManager.NavigateTo(LocalOrHome(uri));

    /// <summary>Prevents open redirects: a relative path stays, an absolute address inside the app becomes its
    /// relative path, anything else (another host, "//host", "/\host", a malformed address) goes home. The template's
    /// version threw for a foreign address (HTTP 500 after the sign-in, so the session was never created).</summary>
    private string LocalOrHome(string? uri)
    {
        if (string.IsNullOrEmpty(uri)) return "";
        if (Uri.IsWellFormedUriString(uri, UriKind.Relative)
            && !uri.StartsWith("//", StringComparison.Ordinal) && !uri.Contains('\\'))
        {
            return uri;
        }
        return Uri.TryCreate(uri, UriKind.Absolute, out var absolute)
            && absolute.ToString().StartsWith(navigationManager.BaseUri, StringComparison.OrdinalIgnoreCase)
            ? navigationManager.ToBaseRelativePath(absolute.ToString())
            : "";
    }

    public void RedirectTo(string uri, Dictionary<string, object?> queryParameters)
    {
        var uriWithoutQuery = navigationManager.ToAbsoluteUri(uri).GetLeftPart(UriPartial.Path);
        var newUri = navigationManager.GetUriWithQueryParameters(uriWithoutQuery, queryParameters);
        RedirectTo(newUri);
    }

    public void RedirectToWithStatus(string uri, string message, HttpContext context)
    {
        context.Response.Cookies.Append(StatusCookieName, message, StatusCookieBuilder.Build(context));
        RedirectTo(uri);
    }

    private string CurrentPath => navigationManager.ToAbsoluteUri(navigationManager.Uri).GetLeftPart(UriPartial.Path);

    public void RedirectToCurrentPage() => RedirectTo(CurrentPath);

    public void RedirectToCurrentPageWithStatus(string message, HttpContext context)
        => RedirectToWithStatus(CurrentPath, message, context);

    public void RedirectToInvalidUser(UserManager<ApplicationUser> userManager, HttpContext context)
        => RedirectToWithStatus("Account/InvalidUser", $"Error: Unable to load user with ID '{userManager.GetUserId(context.User)}'.", context);
}

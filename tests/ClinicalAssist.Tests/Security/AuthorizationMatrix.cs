using ClinicalAssist.Web.Infrastructure;

namespace ClinicalAssist.Tests.Security;

/// <summary>Who a route is for, as designed (README's role table, docs/admin.md).</summary>
public enum Access
{
    /// <summary>Anyone, signed in or not: sign-in steps, error pages, health probes, the framework's own endpoints.</summary>
    Public,
    /// <summary>Any signed-in user whatever their role: start page, own account pages, keep-alive.</summary>
    SignedIn,
    /// <summary>Clinicians only: the ward list.</summary>
    Clinician,
    /// <summary>Reviewers only: the review queue.</summary>
    Reviewer,
    /// <summary>Clinicians and reviewers: a chart and a draft record.</summary>
    ChartReader,
    /// <summary>Admins only: every page and export under /admin.</summary>
    Admin,
}

/// <summary>One route pattern (as mapped) and HTTP method, who it is for, and the URL the test requests for it
/// (placeholders: {patient}, {draft}, {model}).</summary>
public sealed record RouteRule(string Method, string Pattern, Access Access, string Url, string Why = "")
{
    public string Key => $"{Method} {Pattern}";
}

/// <summary>
/// THE DECLARED AUTHORIZATION MATRIX. Every route the app maps (pages found by reflection and every endpoint in the
/// app's EndpointDataSource) must appear here: a new page or endpoint fails
/// <see cref="AuthorizationMatrixTests.Every_page_and_endpoint_the_app_maps_is_declared_in_the_matrix"/> until someone
/// decides who it is for. Razor component pages accept GET and POST (static-SSR forms), so both are declared.
/// </summary>
public static class AuthorizationMatrix
{
    public static readonly IReadOnlyList<Principal> Principals = Enum.GetValues<Principal>();

    /// <summary>Who is expected to get through, per access kind. The disabled and locked accounts hold every role, so
    /// any access they get beyond the public routes is a leak.</summary>
    public static bool Admits(Access access, Principal p) => access switch
    {
        Access.Public => true,
        Access.SignedIn => p is Principal.Clinician or Principal.Reviewer or Principal.Admin,
        Access.Clinician => p is Principal.Clinician,
        Access.Reviewer => p is Principal.Reviewer,
        Access.ChartReader => p is Principal.Clinician or Principal.Reviewer,
        Access.Admin => p is Principal.Admin,
        _ => false,
    };

    /// <summary>The policy a page component must name in its [Authorize] (null: [Authorize] without a policy).</summary>
    public static string? PolicyFor(Access access) => access switch
    {
        Access.Clinician => Policies.Clinician,
        Access.Reviewer => Policies.Reviewer,
        Access.ChartReader => Policies.ChartReader,
        Access.Admin => Policies.Admin,
        _ => null,
    };

    private static IEnumerable<RouteRule> Page(string pattern, Access access, string? url = null, string why = "")
    {
        yield return new RouteRule("GET", pattern, access, url ?? pattern, why);
        yield return new RouteRule("POST", pattern, access, url ?? pattern, why);
    }

    public static readonly IReadOnlyList<RouteRule> Rules =
    [
        // Sign-in steps and error pages: anyone.
        .. Page("/Account/Login", Access.Public),
        .. Page("/Account/AccessDenied", Access.Public),
        .. Page("/Account/Lockout", Access.Public),
        .. Page("/Account/InvalidUser", Access.Public),
        .. Page("/Account/LoginWith2fa", Access.Public, why: "second sign-in step; without a pending sign-in it sends the caller to the sign-in page"),
        .. Page("/Account/LoginWithRecoveryCode", Access.Public, why: "as LoginWith2fa"),
        .. Page("/Error", Access.Public),
        .. Page("/not-found", Access.Public),
        new("POST", "/Account/Logout", Access.Public, "/Account/Logout", "signs the caller out (if signed in)"),
        new("GET", "/Account/SignedOut", Access.Public, "/Account/SignedOut", "ends the cookie a revoked circuit leaves behind"),
        new("POST", "/Account/ExternalLogin", Access.Public, "/Account/ExternalLogin", "Entra ID sign-in; 404 unless EntraId:Enabled"),
        new("GET", "/Account/ExternalLoginCallback", Access.Public, "/Account/ExternalLoginCallback", "Entra ID sign-in return"),
        new("*", "/health/live", Access.Public, "/health/live", "probe; no internals"),
        new("*", "/health/ready", Access.Public, "/health/ready", "probe; status per check, no exception text"),
        // Any signed-in user.
        .. Page("/", Access.SignedIn, why: "sends each role to its start page"),
        .. Page("/Account/Manage", Access.SignedIn),
        .. Page("/Account/Manage/ChangePassword", Access.SignedIn),
        .. Page("/Account/Manage/TwoFactorAuthentication", Access.SignedIn),
        .. Page("/Account/Manage/EnableAuthenticator", Access.SignedIn),
        .. Page("/Account/Manage/ResetAuthenticator", Access.SignedIn),
        .. Page("/Account/Manage/Disable2fa", Access.SignedIn),
        .. Page("/Account/Manage/GenerateRecoveryCodes", Access.SignedIn),
        new("GET", "/Account/KeepAlive", Access.SignedIn, "/Account/KeepAlive", "renews the sliding cookie"),
        // Clinical work.
        .. Page("/patients", Access.Clinician),
        .. Page("/rounds", Access.Clinician),
        .. Page("/rounds/handover", Access.Clinician, why: "signed summaries of the clinician's rounds list (print view)"),
        .. Page("/patients/{PatientId}", Access.ChartReader, "/patients/{patient}"),
        .. Page("/review", Access.Reviewer),
        .. Page("/drafts/{Id:guid}", Access.ChartReader, "/drafts/{draft}"),
        // Administration.
        .. Page("/admin", Access.Admin),
        .. Page("/admin/users", Access.Admin),
        .. Page("/admin/models", Access.Admin),
        .. Page("/admin/models/{Id:guid}/card", Access.Admin, "/admin/models/{model}/card"),
        .. Page("/admin/templates", Access.Admin),
        .. Page("/admin/quality", Access.Admin),
        .. Page("/admin/audit", Access.Admin),
        .. Page("/admin/fhir-writes", Access.Admin),
        // Local validation: runs and their answers are admin-only (never a clinician's or reviewer's view).
        .. Page("/admin/validation", Access.Admin),
        .. Page("/admin/validation/sets/{Id:guid}", Access.Admin, "/admin/validation/sets/00000000-0000-0000-0000-000000000020"),
        .. Page("/admin/validation/runs/{Id:guid}", Access.Admin, "/admin/validation/runs/00000000-0000-0000-0000-000000000020"),
        new("GET", "/admin/quality/export.csv", Access.Admin, "/admin/quality/export.csv?from=2020-01-01T00:00:00Z&to=2035-01-01T00:00:00Z"),
        new("GET", "/admin/audit/export.csv", Access.Admin, "/admin/audit/export.csv"),
        // The framework's own endpoints: the circuit hub (authorization happens per component inside the circuit, by
        // AuthorizeRouteView and the pages' [Authorize]), its redirect helper, and the static-asset fallback.
        new("*", "/_blazor", Access.Public, "/_blazor", "SignalR hub of the circuits"),
        new("*", "/_blazor/negotiate", Access.Public, "/_blazor/negotiate?negotiateVersion=1", "SignalR negotiation"),
        new("*", "/_blazor/disconnect/", Access.Public, "/_blazor/disconnect/", "circuit disconnect beacon"),
        new("*", "/_blazor/initializers/", Access.Public, "/_blazor/initializers/", "JS initializers list"),
        new("GET", "/_framework/opaque-redirect", Access.Public, "/_framework/opaque-redirect", "Blazor's redirect helper"),
        new("GET,HEAD", "{**path:file}", Access.Public, "/no-such-file.txt", "static file fallback"),
    ];

    /// <summary>Static web assets (MudBlazor, Blazor's scripts, app CSS/JS) are public by design; they are declared
    /// as one rule (every endpoint with a StaticAssetDescriptor) and one of them is requested.</summary>
    public static readonly RouteRule StaticAssets = new("GET,HEAD", "(static assets)", Access.Public, "/_framework/blazor.web.js", "every StaticAssetDescriptor endpoint");
}

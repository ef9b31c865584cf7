using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Infrastructure;
using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClinicalAssist.Tests.Security;

/// <summary>Who asks: nobody, the three demo roles, and two accounts holding every role whose access an admin has
/// taken away while they were signed in (one disabled, one locked). Their cookies are kept and replayed.</summary>
public enum Principal { Anonymous, Clinician, Reviewer, Admin, Disabled, Locked }

/// <summary>
/// The real app (Program.cs, Production environment, embedded demo ward, SQLite in a temp folder) hosted in-process,
/// with every log entry captured. Principals sign in through the login form over HTTP; cookies are held per principal
/// and sent explicitly with each request (responses never change them), so every request is independent of the others.
/// </summary>
public sealed partial class SecurityHost : IAsyncDisposable
{
    public const string Password = "Security-suite-pass-1!";
    private readonly string _data = Directory.CreateTempSubdirectory("clinicalassist-security-").FullName;
    private readonly Dictionary<Principal, Dictionary<string, string>> _cookies = [];

    public CapturingLogs Logs { get; } = new();
    public WebApplicationFactory<Program> Factory { get; }
    public HttpClient Client { get; }

    public SecurityHost()
    {
        Factory = AppFactory.Create(_data, new Dictionary<string, string?>
        {
            ["DemoUsers:Password"] = Password,
            ["SignInRateLimit:PermitsPerMinute"] = "10000",
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information",
        }, services => services.AddSingleton<ILoggerProvider>(Logs));
        Client = Factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static string Email(Principal p) => p switch
    {
        Principal.Clinician => "clinician@demo.local",
        Principal.Reviewer => "reviewer@demo.local",
        Principal.Admin => "admin@demo.local",
        Principal.Disabled => "disabled-all-roles@test.local",
        Principal.Locked => "locked-all-roles@test.local",
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };

    /// <summary>Signs every principal in; then an admin disables one all-roles account and locks the other while their
    /// cookies stay with the test. Returns the outcome of a fresh sign-in attempt for each of those two.</summary>
    public async Task<IReadOnlyDictionary<Principal, string>> SignInAllAsync()
    {
        await using (var scope = Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            foreach (var p in new[] { Principal.Disabled, Principal.Locked })
            {
                var user = new ApplicationUser { UserName = Email(p), Email = Email(p), DisplayName = $"Test {p} user" };
                Assert.True((await users.CreateAsync(user, Password)).Succeeded);
                Assert.True((await users.AddToRolesAsync(user, Roles.All)).Succeeded);
            }
        }
        _cookies[Principal.Anonymous] = [];
        foreach (var p in Enum.GetValues<Principal>().Where(p => p != Principal.Anonymous))
        {
            _cookies[p] = await SignInAsync(Email(p)) ?? throw new InvalidOperationException($"{p} could not sign in.");
        }

        var admin = await ActorAsync(Principal.Admin);
        var administration = Factory.Services.GetRequiredService<UserAdministration>();
        Assert.True((await administration.SetDisabledAsync(await UserIdAsync(Principal.Disabled), true, admin, Ct)).Succeeded);
        Assert.True((await administration.LockAsync(await UserIdAsync(Principal.Locked), admin, Ct)).Succeeded);

        var again = new Dictionary<Principal, string>();
        foreach (var p in new[] { Principal.Disabled, Principal.Locked })
        {
            again[p] = await SignInAsync(Email(p)) is null ? "refused" : "signed in";
        }
        return again;
    }

    public async Task<string> UserIdAsync(Principal p)
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        return await db.Users.Where(u => u.Email == Email(p)).Select(u => u.Id).SingleAsync(Ct);
    }

    public async Task<Actor> ActorAsync(Principal p)
    {
        await using var db = await Factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        var user = await db.Users.SingleAsync(u => u.Email == Email(p), Ct);
        return new Actor(user.Id, user.DisplayName);
    }

    /// <summary>A new sign-in (its own session) of a principal whose account still works, for requests that end the
    /// session they are sent with (sign-out), so the principal's kept cookies stay valid for the rest of the run.</summary>
    public async Task<Dictionary<string, string>> SignInFreshAsync(Principal p) =>
        await SignInAsync(Email(p)) ?? throw new InvalidOperationException($"{p} could not sign in.");

    /// <summary>The login form over HTTP: GET (antiforgery cookie + token), POST. Returns the cookies on success, or
    /// null when the app refused the sign-in (the form comes back, or a redirect to the lock-out page).</summary>
    private async Task<Dictionary<string, string>?> SignInAsync(string email)
    {
        var (status, location, _, jar) = await PostLoginAsync(email, Password);
        return status == HttpStatusCode.Redirect && !location.Contains("/Account/", StringComparison.OrdinalIgnoreCase) && jar.ContainsKey("ClinicalAssist.Auth")
            ? jar : null;
    }

    /// <summary>One sign-in form post (with a fresh antiforgery token): the status, the redirect target, the page and
    /// the cookies the app set.</summary>
    public async Task<(HttpStatusCode Status, string Location, string Page, Dictionary<string, string> Cookies)> PostLoginAsync(string email, string password)
    {
        var jar = new Dictionary<string, string>();
        var (token, _) = await AntiforgeryAsync(jar);
        using var request = Request(HttpMethod.Post, "/Account/Login", jar);
        request.Content = new FormUrlEncodedContent([
            new("_handler", "login"), new("__RequestVerificationToken", token), new("Input.Email", email), new("Input.Password", password)]);
        using var response = await Client.SendAsync(request, Ct);
        Keep(jar, response);
        return (response.StatusCode, response.Headers.Location?.ToString() ?? "", await response.Content.ReadAsStringAsync(Ct), jar);
    }

    /// <summary>An antiforgery token (and its cookie, added to the jar) from the sign-in page, for the jar's user.</summary>
    public async Task<(string Token, string Page)> AntiforgeryAsync(Dictionary<string, string> jar)
    {
        using var request = Request(HttpMethod.Get, "/Account/Login", jar);
        using var response = await Client.SendAsync(request, Ct);
        Keep(jar, response, onlyAntiforgery: true);
        var page = await response.Content.ReadAsStringAsync(Ct);
        return (WebUtility.HtmlDecode(AntiforgeryToken().Match(page).Groups[1].Value), page);
    }

    public Dictionary<string, string> CookiesOf(Principal p) => new(_cookies[p]);

    /// <summary>Keeps a renewed sign-in cookie (the app refreshes the sign-in after a self-service change of the
    /// security stamp, e.g. opening "Configure authenticator app"); a cleared one (sign-out) is not kept, so each
    /// request stays independent.</summary>
    public void KeepRenewedSignIn(Principal p, HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var values)) return;
        foreach (var value in values)
        {
            var pair = value.Split(';', 2)[0];
            if (pair.StartsWith("ClinicalAssist.Auth=", StringComparison.Ordinal) && pair.Length > "ClinicalAssist.Auth=".Length && _cookies[p].ContainsKey("ClinicalAssist.Auth"))
            {
                _cookies[p]["ClinicalAssist.Auth"] = pair["ClinicalAssist.Auth=".Length..];
            }
        }
    }

    public static HttpRequestMessage Request(HttpMethod method, string url, IReadOnlyDictionary<string, string> cookies)
    {
        var request = new HttpRequestMessage(method, url);
        if (cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => $"{c.Key}={c.Value}")));
        return request;
    }

    private static void Keep(Dictionary<string, string> jar, HttpResponseMessage response, bool onlyAntiforgery = false)
    {
        if (!response.Headers.TryGetValues("Set-Cookie", out var values)) return;
        foreach (var value in values)
        {
            var pair = value.Split(';', 2)[0];
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            var (name, content) = (pair[..eq], pair[(eq + 1)..]);
            if (onlyAntiforgery && !name.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal)) continue;
            if (content.Length == 0) jar.Remove(name); else jar[name] = content;
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
        AppFactory.DeleteDirectory(_data);
    }
}

/// <summary>Every log entry of the app (Information and above), with its structured values, scopes and exception.</summary>
public sealed class CapturingLogs : ILoggerProvider, ISupportExternalScope
{
    public ConcurrentQueue<string> Lines { get; } = new();
    private IExternalScopeProvider? _scopes;
    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
    public void Dispose() { }

    private sealed class Logger(CapturingLogs provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes?.Push(state);
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var scopes = new List<string>();
            provider._scopes?.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? ""), scopes);
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            provider.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {values} | {string.Join(" => ", scopes)} | {exception}");
        }
    }
}

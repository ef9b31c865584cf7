using System.Net;

namespace ClinicalAssist.Tests.Security;

/// <summary>
/// Sessions that end: a copy of the sign-in cookie taken before sign-out is refused afterwards (server-side session
/// revocation), while the same user's other sign-in goes on.
/// </summary>
[Collection(SecuritySuite.Name)]
public sealed class SessionEndTests(SecurityRun run)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<HttpStatusCode> GetAsync(string url, IReadOnlyDictionary<string, string> cookies)
    {
        using var request = SecurityHost.Request(HttpMethod.Get, url, cookies);
        using var response = await run.Host.Client.SendAsync(request, Ct);
        return response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.ToString().Contains("/Account/Login", StringComparison.OrdinalIgnoreCase) == true
            ? HttpStatusCode.Unauthorized
            : response.StatusCode;
    }

    [Theory]
    [InlineData(Principal.Clinician, "/patients")]
    [InlineData(Principal.Reviewer, "/review")]
    [InlineData(Principal.Admin, "/admin/audit/export.csv")]
    public async Task A_cookie_copied_before_sign_out_is_refused_after_it(Principal principal, string page)
    {
        var session = await run.Host.SignInFreshAsync(principal);
        var copy = new Dictionary<string, string>(session);
        Assert.Equal(HttpStatusCode.OK, await GetAsync(page, copy));

        var (token, _) = await run.Host.AntiforgeryAsync(session);
        using (var signOut = SecurityHost.Request(HttpMethod.Post, "/Account/Logout", session))
        {
            signOut.Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token)]);
            using var response = await run.Host.Client.SendAsync(signOut, Ct);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(page, copy));
        Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync("/Account/KeepAlive", copy)); // and it cannot renew itself
        // The same user's other sign-in (the suite's own cookie) is not touched.
        Assert.Equal(HttpStatusCode.OK, await GetAsync(page, run.Host.CookiesOf(principal)));
    }
}

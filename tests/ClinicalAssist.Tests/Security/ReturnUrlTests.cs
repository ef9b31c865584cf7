using System.Net;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Infrastructure;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Security;

/// <summary>
/// A ReturnUrl pointing elsewhere on sign-in is ignored: the user lands at home, never on another host, with no
/// HTTP 500 (the template's redirect threw for a foreign address after the sign-in, so the session was never created
/// while a user.signed-in row was written). Every sign-in here creates its session and writes exactly one row.
/// </summary>
public sealed partial class ReturnUrlTests : IDisposable
{
    private const string Password = "Factory-test-pass-1!";
    private readonly string _data = Directory.CreateTempSubdirectory("clinicalassist-returnurl-").FullName;

    public void Dispose() => AppFactory.DeleteDirectory(_data);

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    [Fact]
    public async Task A_foreign_return_url_goes_home_and_a_local_one_is_kept()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var factory = AppFactory.Create(_data);
        var cases = new (string ReturnUrl, string Expected)[]
        {
            ("https://evil.example/phish", "/"),
            ("//evil.example/phish", "/"),
            ("/\\evil.example/phish", "/"),
            ("http://evil.example", "/"),
            ("/patients", "/patients"),
            ("http://localhost/review", "/review"),
        };

        var signedIn = 0;
        foreach (var (returnUrl, expected) in cases)
        {
            using var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            var page = await client.GetStringAsync("/Account/Login", ct);
            var token = WebUtility.HtmlDecode(AntiforgeryToken().Match(page).Groups[1].Value);
            using var form = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("_handler", "login"),
                new("Input.Email", "clinician@demo.local"), new("Input.Password", Password)]);
            var response = await client.PostAsync("/Account/Login?ReturnUrl=" + Uri.EscapeDataString(returnUrl), form, ct);

            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{returnUrl}: {(int)response.StatusCode}");
            var location = response.Headers.Location!;
            var absolute = location.IsAbsoluteUri ? location : new Uri(new Uri("http://localhost/"), location);
            Assert.Equal("localhost", absolute.Host);
            Assert.Equal(expected, absolute.AbsolutePath);
            Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("ClinicalAssist.Auth=", StringComparison.Ordinal));
            signedIn++;

            // The session exists: a protected page answers 200 with the cookie the sign-in set.
            var home = await client.GetAsync("/patients", ct);
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        }

        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct);
        Assert.Equal(signedIn, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.SignedIn, ct));
    }
}

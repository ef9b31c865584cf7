using System.Net;
using ClinicalAssist.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Security;

/// <summary>
/// The sign-in page over HTTP: it answers an email without an account exactly as it answers a real account with a
/// wrong password, attempt by attempt, including the pause after repeated failures; and the live-page endpoint refuses
/// a page from another origin.
/// </summary>
[Collection(SecuritySuite.Name)]
public sealed class SignInHardeningTests(SecurityRun run)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What a visitor can tell from one answer: the status, where it sends them, and the message shown.</summary>
    private static string Visible((HttpStatusCode Status, string Location, string Page, Dictionary<string, string> Cookies) answer) =>
        $"{answer.Status} → {answer.Location} · " + (answer.Page.Contains("Invalid sign-in attempt", StringComparison.Ordinal) ? "invalid attempt" : "");

    [Fact]
    public async Task An_unknown_email_and_a_real_account_get_the_same_answers_and_the_same_pause()
    {
        var real = "throttle-real-" + Guid.NewGuid().ToString("N")[..8] + "@test.local";
        await using (var scope = run.Host.Factory.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            var user = new ApplicationUser { UserName = real, Email = real, DisplayName = "Throttle test" };
            Assert.True((await users.CreateAsync(user, SecurityHost.Password)).Succeeded);
            Assert.True((await users.AddToRoleAsync(user, Roles.Clinician)).Succeeded);
        }
        var unknown = "throttle-nobody-" + Guid.NewGuid().ToString("N")[..8] + "@test.local";

        var realAnswers = new List<string>();
        var unknownAnswers = new List<string>();
        for (var attempt = 1; attempt <= 6; attempt++)
        {
            realAnswers.Add(Visible(await run.Host.PostLoginAsync(real, "Wrong-password-" + attempt)));
            unknownAnswers.Add(Visible(await run.Host.PostLoginAsync(unknown, "Wrong-password-" + attempt)));
        }
        Assert.Equal(realAnswers, unknownAnswers);
        Assert.All(realAnswers.Take(4), a => Assert.EndsWith("invalid attempt", a, StringComparison.Ordinal));
        Assert.All(realAnswers.Skip(4), a => Assert.Contains("/Account/Lockout", a, StringComparison.Ordinal));

        // While paused, even the right password is not checked: the answer is the same pause.
        var right = await run.Host.PostLoginAsync(real, SecurityHost.Password);
        Assert.Contains("/Account/Lockout", right.Location, StringComparison.Ordinal);
        Assert.False(right.Cookies.ContainsKey("ClinicalAssist.Auth"));

        // The pause page says what to do, in plain words.
        using var request = SecurityHost.Request(HttpMethod.Get, "/Account/Lockout", new Dictionary<string, string>());
        using var response = await run.Host.Client.SendAsync(request, Ct);
        var page = await response.Content.ReadAsStringAsync(Ct);
        Assert.Contains("Sign-in is paused", page, StringComparison.Ordinal);
        Assert.Contains("Try again in 15 minutes", page, StringComparison.Ordinal);

        // Other accounts from the same address are not affected.
        Assert.NotNull(await run.Host.SignInFreshAsync(Principal.Reviewer));
    }

    [Theory]
    [InlineData("https://evil.example", HttpStatusCode.Forbidden)]
    [InlineData("http://localhost.evil.example", HttpStatusCode.Forbidden)]
    [InlineData("http://localhost:8080", HttpStatusCode.Forbidden)]
    [InlineData("null", HttpStatusCode.Forbidden)]
    [InlineData("http://localhost", HttpStatusCode.OK)]
    public async Task The_live_page_endpoint_refuses_a_page_from_another_origin(string origin, HttpStatusCode expected)
    {
        using var request = SecurityHost.Request(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1", run.Host.CookiesOf(Principal.Clinician));
        request.Headers.Add("Origin", origin);
        using var response = await run.Host.Client.SendAsync(request, Ct);
        Assert.Equal(expected, response.StatusCode);
    }
}

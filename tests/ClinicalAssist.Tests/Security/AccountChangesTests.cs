using System.Security.Claims;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Admin;
using ClinicalAssist.Web.Components.Account;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Tests.Security;

/// <summary>
/// A circuit of a changed user ends within seconds: user administration renews the security stamp and publishes a
/// change notice; the revalidating provider, ticking every few seconds, reads the database at once on a notice (and
/// otherwise only every Session:RevalidationInterval), so the changed account's circuit is refused at its next tick.
/// </summary>
public sealed class AccountChangesTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private AdminTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await AdminTestHost.CreateAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private IdentityRevalidatingAuthenticationStateProvider Provider(TimeSpan interval, TimeSpan? idle = null) => new(
        NullLoggerFactory.Instance,
        _host.Services.GetRequiredService<IServiceScopeFactory>(),
        _host.Services.GetRequiredService<IOptions<IdentityOptions>>(),
        Options.Create(new IdleSessionOptions { IdleTimeout = idle ?? TimeSpan.FromHours(1), RevalidationInterval = interval }),
        new CircuitActivity(_host.Clock),
        _host.Services.GetRequiredService<AccountChanges>(),
        Sessions,
        _host.Clock);

    private SignInSessions Sessions => _host.Services.GetRequiredService<SignInSessions>();

    private async Task<AuthenticationState> SignedInAsync(ApplicationUser user)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var fresh = (await users.FindByIdAsync(user.Id))!;
        var options = _host.Services.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var identity = new ClaimsIdentity(
        [
            new Claim(options.UserIdClaimType, fresh.Id),
            new Claim(options.SecurityStampClaimType, (await users.GetSecurityStampAsync(fresh))!),
            new Claim(SignInSessions.ClaimType, await Sessions.StartAsync(fresh.Id, Ct)),
        ], "Identity.Application");
        return new AuthenticationState(new ClaimsPrincipal(identity));
    }

    [Theory]
    [InlineData("role removed")]
    [InlineData("disabled")]
    [InlineData("locked")]
    public async Task A_changed_accounts_circuit_is_refused_at_the_next_tick_not_at_the_next_interval(string change)
    {
        var admin = await _host.AddUserAsync("admin@x.org", Roles.Admin);
        var reviewer = await _host.AddUserAsync("reviewer@x.org", Roles.Reviewer);
        var state = await SignedInAsync(reviewer);
        // A long configured interval: without the notice, the change would be seen only after 10 minutes.
        var provider = Provider(TimeSpan.FromMinutes(10));
        Assert.True(await provider.ValidateAsync(state, Ct));
        _host.Clock.Advance(AccountChanges.CheckInterval);
        Assert.True(await provider.ValidateAsync(state, Ct));

        var actor = new Actor(admin.Id, "Admin");
        var result = change switch
        {
            "role removed" => await _host.Users.SetRolesAsync(reviewer.Id, [], actor, Ct),
            "disabled" => await _host.Users.SetDisabledAsync(reviewer.Id, true, actor, Ct),
            _ => await _host.Users.LockAsync(reviewer.Id, actor, Ct),
        };
        Assert.True(result.Succeeded, result.Message);

        _host.Clock.Advance(AccountChanges.CheckInterval);
        Assert.False(await provider.ValidateAsync(state, Ct));
    }

    [Fact]
    public async Task The_provider_ticks_every_few_seconds_and_reads_the_database_only_on_a_notice_or_the_interval()
    {
        var reviewer = await _host.AddUserAsync("reviewer@x.org", Roles.Reviewer);
        var state = await SignedInAsync(reviewer);
        var provider = Provider(TimeSpan.FromMinutes(10));
        Assert.True(await provider.ValidateAsync(state, Ct)); // first tick: reads the database

        // A stamp renewed without a notice (another app instance): seen at the configured interval, as before.
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
            await users.UpdateSecurityStampAsync((await users.FindByIdAsync(reviewer.Id))!);
        }
        _host.Clock.Advance(AccountChanges.CheckInterval);
        Assert.True(await provider.ValidateAsync(state, Ct));
        _host.Clock.Advance(TimeSpan.FromMinutes(10));
        Assert.False(await provider.ValidateAsync(state, Ct));
    }

    [Fact]
    public async Task A_signed_out_sessions_circuits_are_refused_at_the_next_tick_and_the_users_other_session_goes_on()
    {
        var clinician = await _host.AddUserAsync("clinician@x.org", Roles.Clinician);
        var desktop = await SignedInAsync(clinician);
        var tablet = await SignedInAsync(clinician);
        var desktopCircuit = Provider(TimeSpan.FromMinutes(10));
        var tabletCircuit = Provider(TimeSpan.FromMinutes(10));
        Assert.True(await desktopCircuit.ValidateAsync(desktop, Ct));
        Assert.True(await tabletCircuit.ValidateAsync(tablet, Ct));

        await Sessions.EndAsync(SignInSessions.IdOf(desktop.User), "signed out", Ct);

        _host.Clock.Advance(AccountChanges.CheckInterval);
        Assert.False(await desktopCircuit.ValidateAsync(desktop, Ct));
        Assert.True(await tabletCircuit.ValidateAsync(tablet, Ct));
        Assert.False(await Sessions.IsActiveAsync(desktop.User, Ct));
        Assert.True(await Sessions.IsActiveAsync(tablet.User, Ct));
    }

    [Fact]
    public async Task Use_the_page_reports_without_touching_the_circuit_keeps_it_signed_in_and_none_lets_it_idle_out()
    {
        var clinician = await _host.AddUserAsync("clinician@x.org", Roles.Clinician);
        var reading = await SignedInAsync(clinician);
        var away = await SignedInAsync(clinician);
        var idle = TimeSpan.FromMinutes(15);
        var readingCircuit = Provider(TimeSpan.FromMinutes(1), idle);
        var awayCircuit = Provider(TimeSpan.FromMinutes(1), idle);

        // 30 minutes of reading: the page scrolls (keep-alive every few minutes), nothing goes into the circuit.
        for (var minute = 0; minute < 30; minute++)
        {
            _host.Clock.Advance(TimeSpan.FromMinutes(1));
            if (minute % 4 == 0) await Sessions.TouchAsync(reading.User, Ct);
            Assert.True(await readingCircuit.ValidateAsync(reading, Ct), $"reading page signed out at minute {minute + 1}");
        }
        // The other session of the same user sent nothing: idle after the timeout.
        Assert.False(await awayCircuit.ValidateAsync(away, Ct));

        // The reader stops: signed out once the timeout has passed since the last keep-alive, not before.
        _host.Clock.Advance(idle - TimeSpan.FromMinutes(2)); // 14 minutes after the last keep-alive
        Assert.True(await readingCircuit.ValidateAsync(reading, Ct));
        _host.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.False(await readingCircuit.ValidateAsync(reading, Ct));

        // An ended session's keep-alive records nothing.
        await Sessions.EndAsync(SignInSessions.IdOf(away.User), "signed out", Ct);
        await Sessions.TouchAsync(away.User, Ct);
        Assert.Null(await Sessions.LastActivityAsync(away.User, Ct));
    }

    [Fact]
    public async Task A_principal_without_a_session_or_with_another_users_session_is_not_active()
    {
        var a = await _host.AddUserAsync("a@x.org", Roles.Clinician);
        var b = await _host.AddUserAsync("b@x.org", Roles.Clinician);
        var bSession = await Sessions.StartAsync(b.Id, Ct);
        var none = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, a.Id)], "Identity.Application"));
        var borrowed = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, a.Id), new Claim(SignInSessions.ClaimType, bSession)], "Identity.Application"));
        Assert.False(await Sessions.IsActiveAsync(none, Ct));
        Assert.False(await Sessions.IsActiveAsync(borrowed, Ct));
    }

    [Fact]
    public async Task Every_access_change_publishes_a_notice()
    {
        var admin = await _host.AddUserAsync("admin@x.org", Roles.Admin);
        var user = await _host.AddUserAsync("user@x.org", Roles.Clinician);
        var changes = _host.Services.GetRequiredService<AccountChanges>();
        var actor = new Actor(admin.Id, "Admin");

        Assert.Equal(0, changes.VersionOf(user.Id));
        Assert.True((await _host.Users.SetRolesAsync(user.Id, [Roles.Reviewer], actor, Ct)).Succeeded);
        Assert.Equal(1, changes.VersionOf(user.Id));
        Assert.True((await _host.Users.LockAsync(user.Id, actor, Ct)).Succeeded);
        Assert.Equal(2, changes.VersionOf(user.Id));
        Assert.True((await _host.Users.SetDisabledAsync(user.Id, true, actor, Ct)).Succeeded);
        Assert.Equal(3, changes.VersionOf(user.Id));
        Assert.True((await _host.Users.ForcePasswordResetAsync(user.Id, actor, Ct)).Succeeded);
        Assert.Equal(4, changes.VersionOf(user.Id));
    }
}

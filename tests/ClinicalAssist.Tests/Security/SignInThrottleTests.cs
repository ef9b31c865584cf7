using System.Net;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Tests.Security;

/// <summary>The sign-in pause on its own, with the clock in the test's hands: per account and address, per account
/// overall, its end, and failures that arrive at the same moment.</summary>
public sealed class SignInThrottleTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly IPAddress Ward = IPAddress.Parse("10.20.30.40");
    private static readonly IPAddress Stranger = IPAddress.Parse("203.0.113.9");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
    private readonly SignInThrottleOptions _options = new();
    private TestDatabase _database = null!;
    private SignInThrottle _throttle = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(withStaff: false);
        _throttle = new SignInThrottle(_database, Options.Create(_options), _clock);
    }

    public ValueTask DisposeAsync() => _database.DisposeAsync();

    [Fact]
    public async Task Failures_from_a_stranger_pause_only_the_stranger_and_the_pause_ends()
    {
        for (var i = 1; i <= 4; i++) Assert.False(await _throttle.RecordFailureAsync("dr.who@hospital.example", Stranger, Ct));
        Assert.True(await _throttle.RecordFailureAsync("DR.WHO@hospital.example ", Stranger, Ct)); // same account, any case
        Assert.True(await _throttle.IsPausedAsync("dr.who@hospital.example", Stranger, Ct));
        Assert.False(await _throttle.IsPausedAsync("dr.who@hospital.example", Ward, Ct)); // the doctor on the ward signs in
        Assert.False(await _throttle.IsPausedAsync("dr.no@hospital.example", Stranger, Ct));

        _clock.Advance(_options.PauseFor - TimeSpan.FromSeconds(1));
        Assert.True(await _throttle.IsPausedAsync("dr.who@hospital.example", Stranger, Ct));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await _throttle.IsPausedAsync("dr.who@hospital.example", Stranger, Ct));
        // A new run of failures starts from zero.
        Assert.False(await _throttle.RecordFailureAsync("dr.who@hospital.example", Stranger, Ct));
    }

    [Fact]
    public async Task Failures_spread_over_many_addresses_pause_the_account_at_the_cap()
    {
        for (var i = 1; i < _options.FailuresPerAccount; i++)
        {
            Assert.False(await _throttle.RecordFailureAsync("dr.who@hospital.example", IPAddress.Parse($"198.51.{i / 250}.{i % 250 + 1}"), Ct));
        }
        Assert.True(await _throttle.RecordFailureAsync("dr.who@hospital.example", IPAddress.Parse("192.0.2.77"), Ct));
        Assert.True(await _throttle.IsPausedAsync("dr.who@hospital.example", Ward, Ct));
    }

    [Fact]
    public async Task Addresses_of_one_IPv6_network_count_together()
    {
        for (var i = 1; i <= 5; i++) await _throttle.RecordFailureAsync("dr.who@hospital.example", IPAddress.Parse($"2001:db8:1:2::{i:x}"), Ct);
        Assert.True(await _throttle.IsPausedAsync("dr.who@hospital.example", IPAddress.Parse("2001:db8:1:2:ffff::1"), Ct));
        Assert.False(await _throttle.IsPausedAsync("dr.who@hospital.example", IPAddress.Parse("2001:db8:1:3::1"), Ct));
    }

    [Fact]
    public async Task A_success_ends_the_run_of_failures()
    {
        for (var i = 1; i <= 4; i++) await _throttle.RecordFailureAsync("dr.who@hospital.example", Ward, Ct);
        await _throttle.ResetAsync("dr.who@hospital.example", Ward, Ct);
        for (var i = 1; i <= 4; i++) Assert.False(await _throttle.RecordFailureAsync("dr.who@hospital.example", Ward, Ct));
    }

    [Fact]
    public async Task Failures_at_the_same_moment_are_all_counted()
    {
        await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => _throttle.RecordFailureAsync("dr.who@hospital.example", Stranger, Ct)));
        await using var db = await _database.CreateDbContextAsync(Ct);
        var counts = await db.SignInThrottle.Select(t => t.Failures).ToListAsync(Ct);
        Assert.Equal([12, 12], counts);
        Assert.True(await _throttle.IsPausedAsync("dr.who@hospital.example", Stranger, Ct));
        // No email or address is stored in clear.
        Assert.All(await db.SignInThrottle.Select(t => t.Key).ToListAsync(Ct), k => Assert.Matches("^[0-9A-F]{64}$", k));
    }
}

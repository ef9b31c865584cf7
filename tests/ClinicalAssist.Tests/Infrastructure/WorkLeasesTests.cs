using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Tests.Infrastructure;

/// <summary>Work leases between app instances on one database, with the clock in the test's hands.</summary>
public sealed class WorkLeasesTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));
    private readonly WorkLeaseOptions _options = new() { Duration = TimeSpan.FromSeconds(30) };
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync(withStaff: false);

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private WorkLeases Instance(string id) => new(_db, new InstanceIdentity(id), Options.Create(_options), _clock);

    [Fact]
    public async Task A_live_lease_is_never_taken_and_a_lapsed_one_is_taken_by_one_instance()
    {
        var a = Instance("a");
        var b = Instance("b");
        Assert.True(await a.TryClaimAsync(WorkKinds.FhirWrite, "w1", Ct));
        Assert.False(await b.TryClaimAsync(WorkKinds.FhirWrite, "w1", Ct));
        Assert.True(await b.TryClaimAsync(WorkKinds.FhirWrite, "w2", Ct)); // other work is free

        // A renews while it works: after twice the lease it still holds w1.
        for (var i = 0; i < 6; i++)
        {
            _clock.Advance(_options.RenewEvery);
            Assert.Equal(1, await a.RenewOwnAsync(Ct));
            Assert.False(await b.TryClaimAsync(WorkKinds.FhirWrite, "w1", Ct));
        }

        // A dies (no more renewals): B takes w1 over only once the lease ran out.
        _clock.Advance(_options.Duration - TimeSpan.FromSeconds(1));
        Assert.False(await b.TryClaimAsync(WorkKinds.FhirWrite, "w1", Ct));
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await b.TryClaimAsync(WorkKinds.FhirWrite, "w1", Ct));

        // A coming back cannot release or renew what B now holds.
        await a.ReleaseAsync(WorkKinds.FhirWrite, "w1", Ct);
        Assert.Equal(0, await a.RenewOwnAsync(Ct));
        Assert.False(await a.TryClaimAsync(WorkKinds.FhirWrite, "w1", Ct));
        await b.ReleaseAsync(WorkKinds.FhirWrite, "w1", Ct);
        Assert.True(await a.TryClaimAsync(WorkKinds.FhirWrite, "w1", Ct));
    }

    [Fact]
    public async Task Instances_racing_for_the_same_work_get_it_once()
    {
        var instances = Enumerable.Range(0, 8).Select(i => Instance("i" + i)).ToList();
        for (var round = 0; round < 5; round++)
        {
            var key = "race-" + round;
            if (round > 0)
            {
                Assert.True(await instances[0].TryClaimAsync(WorkKinds.RoundsItem, key, Ct));
                _clock.Advance(_options.Duration); // a lapsed lease: every instance may try to take it over
            }
            var won = await Task.WhenAll(instances.Select(i => i.TryClaimAsync(WorkKinds.RoundsItem, key, Ct)));
            Assert.Equal(1, won.Count(w => w));
        }
    }

    [Fact]
    public async Task A_clean_shutdown_releases_everything_the_instance_held()
    {
        var a = Instance("a");
        var b = Instance("b");
        Assert.True(await a.TryClaimAsync(WorkKinds.Draft, "d1", Ct));
        Assert.True(await a.TryClaimAsync(WorkKinds.RoundsItem, "r1", Ct));
        Assert.Equal(2, await a.ReleaseOwnAsync(Ct));
        Assert.True(await b.TryClaimAsync(WorkKinds.Draft, "d1", Ct));
        Assert.True(await b.TryClaimAsync(WorkKinds.RoundsItem, "r1", Ct));
    }
}

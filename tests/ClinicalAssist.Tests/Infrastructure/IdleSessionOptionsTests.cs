using ClinicalAssist.Web.Infrastructure;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Tests.Infrastructure;

public sealed class IdleSessionOptionsTests
{
    [Theory]
    [InlineData("00:15:00", "00:01:00", true)]
    [InlineData("00:00:08", "00:00:01", true)]
    [InlineData("00:00:01", "00:00:01", false)]
    [InlineData("13:00:00", "00:01:00", false)]
    [InlineData("00:15:00", "00:20:00", false)]
    public void Idle_timeout_and_revalidation_are_validated(string idle, string revalidation, bool valid)
    {
        var options = new IdleSessionOptions { IdleTimeout = TimeSpan.Parse(idle, System.Globalization.CultureInfo.InvariantCulture), RevalidationInterval = TimeSpan.Parse(revalidation, System.Globalization.CultureInfo.InvariantCulture) };
        Assert.Equal(valid, new DataAnnotationValidateOptions<IdleSessionOptions>(null).Validate(null, options).Succeeded);
    }

    [Theory]
    [InlineData("00:15:00", "00:01:00")]
    [InlineData("00:02:00", "00:00:30")]
    [InlineData("00:00:30", "00:00:07.5")]
    [InlineData("00:00:05", "00:00:01.25")]
    public void The_keep_alive_interval_is_a_quarter_of_the_idle_timeout_at_most_a_minute(string idle, string keepAlive)
    {
        var options = new IdleSessionOptions { IdleTimeout = TimeSpan.Parse(idle, System.Globalization.CultureInfo.InvariantCulture) };
        Assert.Equal(TimeSpan.Parse(keepAlive, System.Globalization.CultureInfo.InvariantCulture), options.KeepAliveInterval);
    }

    [Fact]
    public void Activity_moves_with_the_clock()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        var activity = new CircuitActivity(clock);
        clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(TimeSpan.FromMinutes(5), clock.GetUtcNow() - activity.LastActivity);
        activity.Touch();
        Assert.Equal(clock.GetUtcNow(), activity.LastActivity);
    }
}

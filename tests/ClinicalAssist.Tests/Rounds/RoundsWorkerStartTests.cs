using ClinicalAssist.Tests.Admin;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Rounds;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Tests.Rounds;

/// <summary>Start-up of the rounds worker with settings an earlier version read.</summary>
public sealed class RoundsWorkerStartTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Rounds:BackoffSeconds")]
    [InlineData("Rounds:MaxBackoffSeconds")]
    public async Task A_removed_back_off_setting_is_named_in_a_start_up_warning_and_the_worker_starts(string removed)
    {
        var logs = await StartAndStopWorkerAsync(new() { [removed] = "5", ["Rounds:MaxConcurrency"] = "3" });

        var warning = Assert.Single(logs, l => l.Contains("was removed", StringComparison.Ordinal));
        Assert.StartsWith("Warning ", warning, StringComparison.Ordinal);
        Assert.Contains($"The setting {removed} was removed and is ignored.", warning, StringComparison.Ordinal);
        Assert.Contains("Remove the setting from the configuration", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Current_settings_start_the_worker_without_a_warning()
    {
        var logs = await StartAndStopWorkerAsync(new() { ["Rounds:MaxConcurrency"] = "3", ["Rounds:PrepareAhead"] = "1" });

        Assert.DoesNotContain(logs, l => l.StartsWith("Warning ", StringComparison.Ordinal));
    }

    private static async Task<IReadOnlyList<string>> StartAndStopWorkerAsync(Dictionary<string, string?> settings)
    {
        await using var db = await TestDatabase.CreateAsync();
        var logs = new CapturingLoggerProvider();
        await using var host = TestHost.Create(db, settings: settings, configure: s => s.AddSingleton<ILoggerProvider>(logs));
        Assert.Equal(3, host.Get<IOptions<RoundsOptions>>().Value.MaxConcurrency); // start-up validation passes
        var worker = host.Get<IEnumerable<IHostedService>>().OfType<RoundsWorker>().Single();

        await worker.StartAsync(Ct);
        await worker.StopAsync(Ct);

        return logs.Lines.Where(l => l.Contains(typeof(RoundsWorker).FullName!, StringComparison.Ordinal)).ToList();
    }
}

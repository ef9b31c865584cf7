using System.Diagnostics;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Validation;
using static ClinicalAssist.Tests.Validation.ValidationHarness;

namespace ClinicalAssist.Tests.Validation;

/// <summary>The docs/performance.md figure: a 200-case run against a loopback model answering after 1 s, at
/// concurrency N, finishes within 1.1 × (200 / N) s. Runs only with CLINICALASSIST_VALIDATION_PERF=N.</summary>
public sealed class EvaluationRunPerformanceTests
{
    [Fact]
    public async Task A_200_case_run_at_concurrency_N_finishes_within_1_1_times_200_over_N_seconds()
    {
        var setting = Environment.GetEnvironmentVariable("CLINICALASSIST_VALIDATION_PERF");
        Assert.SkipWhen(setting is null, "Set CLINICALASSIST_VALIDATION_PERF=N (concurrency) to measure.");
        var n = int.Parse(setting!, System.Globalization.CultureInfo.InvariantCulture);
        var clock = TimeProvider.System;
        await using var database = await DatabaseAsync(clock);
        await using var model = await LoopbackModel.StartAsync(LoopbackMode.Grounded);
        model.Latency = TimeSpan.FromSeconds(1);
        var configuration = model.Configuration("Grounded, 1 s");
        await AddAsync(database, configuration);
        await using var host = Instance(database, clock, maxConcurrency: n, more: new Dictionary<string, string?> { ["Validation:DemoWardCases"] = "200" });
        var setId = await FrozenDemoSetAsync(host);
        var runId = await StartAsync(host, setId, configuration.Id);

        var before = Process.GetCurrentProcess().PeakWorkingSet64;
        var watch = Stopwatch.StartNew();
        await host.Get<EvaluationRunner>().RunPendingAsync(Ct);
        watch.Stop();
        using var self = Process.GetCurrentProcess();
        var limit = 1.1 * 200 / n;
        var line = $"cases=200 concurrency={n} seconds={watch.Elapsed.TotalSeconds:0.00} limit={limit:0.00} peak_working_set_mb={self.PeakWorkingSet64 / 1048576.0:0} (before run {before / 1048576.0:0})";
        Xunit.TestContext.Current.TestOutputHelper?.WriteLine(line);
        Directory.CreateDirectory(Path.Combine(ClinicalAssist.Tests.Security.AuthorizationMatrixTests.RepoRoot(), "artifacts", "validation"));
        await File.WriteAllTextAsync(Path.Combine(ClinicalAssist.Tests.Security.AuthorizationMatrixTests.RepoRoot(), "artifacts", "validation", $"run-200-c{n}.txt"), line + "\n", Ct);
        Assert.Equal(200, await ResultCountAsync(database, runId));
        Assert.True(watch.Elapsed.TotalSeconds <= limit, line);
    }
}

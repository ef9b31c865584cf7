using System.Diagnostics;
using System.Globalization;
using ClinicalAssist.Web.Features.Context;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace ClinicalAssist.Benchmarks;

/// <summary>Chart open at the product's default settings (FhirOptions as shipped: page size, caps, concurrency): one
/// <see cref="PatientContextBuilder.BuildAsync(string, CancellationToken)"/> through the Server source against the
/// loopback FHIR server of P1, for the largest Synthea patient and the generated 10,000-resource patient, at the given
/// latencies per request. Reports wall time (median) and the process's CPU per chart open (client and loopback server:
/// the server's pages are serialized once and cached, so its share is small). Only the public seam is used, so the
/// same command measures any version of the reader.</summary>
internal static class ChartBenchmark
{
    public const string Usage =
        "chart [--samples <synthea folder>] [--runs 15] [--latency-ms 0,20,100] [--everything]   chart open, all sections, at the product's default settings";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        string? samples = null;
        var runs = 15;
        var latencies = new[] { 0, 20, 100 };
        var everything = false;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--samples" when value is not null: samples = value; i++; break;
                case "--runs" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0: runs = n; i++; break;
                case "--latency-ms" when value is not null: latencies = [.. value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))]; i++; break;
                case "--everything": everything = true; break;
                default:
                    error.WriteLine($"Unknown or incomplete option '{args[i]}'.");
                    error.WriteLine(Usage);
                    return 2;
            }
        }

        samples ??= ContextBenchmark.FindSamples();
        var largestFile = Directory.GetFiles(samples, "*.json").OrderByDescending(f => new FileInfo(f).Length).First();
        var synthea = await ContextBenchmark.LoadAsync(samples, largestFile);
        var generated = ContextBenchmark.Generate(synthea.Patient, synthea.Resources, 10_000);
        output.WriteLine($"# Chart open at product defaults — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load {ContextBenchmark.LoadAverage()}, {(everything ? "server offers $everything" : "server without $everything (section searches)")}");
        output.WriteLine();
        output.WriteLine("| Patient | Resources | Latency/request | Chart open p50 ms | p90 ms | CPU ms per open | Requests | Sections (items shown; capped/failed) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---|");
        foreach (var latency in latencies)
        {
            foreach (var (name, data) in new[] { ("Largest Synthea", synthea), ("Generated", generated) })
            {
                await using var server = await ContextBenchmark.BenchServer.StartAsync(data.Patient, data.Resources, latency, 20);
                server.OffersEverything = everything;
                var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Fhir:Source"] = "Server",
                    ["Fhir:ServerBaseUrl"] = server.BaseUrl.ToString(),
                });
                builder.Logging.ClearProviders();
                builder.AddPatientContext();
                using var host = builder.Build();
                using var scope = host.Services.CreateScope();
                var chart = scope.ServiceProvider.GetRequiredService<PatientContextBuilder>();
                var times = new List<double>();
                var cpu = TimeSpan.Zero;
                var requests = 0;
                PatientContext? context = null;
                for (var i = 0; i < runs + 2; i++)
                {
                    GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                    GC.WaitForPendingFinalizers();
                    ContextBenchmark.Settle();
                    server.Requests = 0;
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    var clock = Stopwatch.StartNew();
                    context = await chart.BuildAsync(server.PatientId, CancellationToken.None) ?? throw new InvalidOperationException("no context");
                    var ms = clock.Elapsed.TotalMilliseconds;
                    if (i >= 2)
                    {
                        times.Add(ms);
                        cpu += Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                        requests = server.Requests;
                    }
                }

                var sorted = times.Order().ToList();
                var sections = string.Join(", ", context!.Sections.Select(s => $"{s.Section} {s.Count}{(s.State is SectionState.Capped or SectionState.Failed ? " " + s.State.ToString().ToLowerInvariant() : "")}"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {data.Resources.Count + 1:N0} | {latency} ms | {ContextBenchmark.Median(times):F1} | {sorted[(int)Math.Ceiling(sorted.Count * 0.9) - 1]:F1} | {cpu.TotalMilliseconds / times.Count:F1} | {requests} | {sections} |"));
            }
        }

        return 0;
    }
}

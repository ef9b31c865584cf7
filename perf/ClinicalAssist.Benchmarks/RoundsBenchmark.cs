using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Rounds;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ClinicalAssist.Tests.Support;

namespace ClinicalAssist.Benchmarks;

/// <summary>P6: "Prepare drafts" for an N-patient rounds list (demo patients) through the product's own batch runner,
/// the Azure AI Inference client and a loopback fake endpoint that answers each call after a fixed latency. The ideal
/// is ceil(N / concurrency) × latency; the product's overhead is what the wall-clock adds to it.</summary>
internal static class RoundsBenchmark
{
    public const string Usage =
        "rounds [--patients 30] [--concurrency 4] [--latency-ms 2000] [--iterations 3]   P6: rounds batch wall-clock vs ceil(N/c) x latency, overhead %, peak working set";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        int patients = 30, concurrency = 4, latencyMs = 2000, iterations = 3;
        for (var i = 0; i < args.Length; i++)
        {
            var ok = i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0;
            switch (args[i])
            {
                case "--patients" when ok: patients = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--concurrency" when ok: concurrency = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--latency-ms" when ok: latencyMs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--iterations" when ok: iterations = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default:
                    error.WriteLine($"Unknown or invalid argument '{args[i]}'.");
                    error.WriteLine(Usage);
                    return 2;
            }
        }

        await using var endpoint = await FakeEndpoint.StartAsync(TimeSpan.FromMilliseconds(latencyMs));
        var ideal = TimeSpan.FromMilliseconds(Math.Ceiling(patients / (double)concurrency) * latencyMs);
        output.WriteLine(FormattableString.Invariant($"P6 rounds batch: {patients} demo patients, concurrency {concurrency}, fake model latency {latencyMs} ms, ideal {ideal.TotalSeconds:0.0} s; {Environment.ProcessorCount} cores, .NET {Environment.Version}"));

        // Warm-up (JIT, EF model, first connection): 1 patient, not reported.
        await RunOnceAsync(endpoint, 1, concurrency, CancellationToken.None);

        var results = new List<(TimeSpan Wall, int MaxInFlight, long PeakWorkingSet, int Ready)>();
        for (var i = 0; i < iterations; i++)
        {
            var result = await RunOnceAsync(endpoint, patients, concurrency, CancellationToken.None);
            results.Add(result);
            var overhead = (result.Wall - ideal) / result.Wall * 100;
            output.WriteLine(FormattableString.Invariant(
                $"  run {i + 1}: wall {result.Wall.TotalSeconds:0.000} s, overhead {overhead:0.00} % of wall-clock, ready {result.Ready}/{patients}, max concurrent calls {result.MaxInFlight}, peak working set {result.PeakWorkingSet / 1024.0 / 1024:0} MiB; before first call {LastBreakdown.BeforeFirstCall.TotalMilliseconds:0} ms, calls {LastBreakdown.Calls.TotalSeconds:0.000} s, after last answer {LastBreakdown.AfterLastAnswer.TotalMilliseconds:0} ms"));
        }
        var median = results.OrderBy(r => r.Wall).ElementAt(results.Count / 2);
        var medianOverhead = (median.Wall - ideal) / median.Wall * 100;
        output.WriteLine();
        output.WriteLine("| Figure | Goal | Measured |");
        output.WriteLine("|---|---|---|");
        output.WriteLine(FormattableString.Invariant($"| Wall-clock, {patients} patients (median of {iterations}) | ideal {ideal.TotalSeconds:0.0} s | {median.Wall.TotalSeconds:0.00} s |"));
        output.WriteLine(FormattableString.Invariant($"| Product overhead (wall − ideal) / wall | ≤ 5 % | {medianOverhead:0.00} % (runs: {string.Join(", ", results.Select(r => ((r.Wall - ideal) / r.Wall * 100).ToString("0.00", CultureInfo.InvariantCulture)))}) |"));
        output.WriteLine(FormattableString.Invariant($"| Max concurrent model calls | ≤ {concurrency} | {results.Max(r => r.MaxInFlight)} |"));
        output.WriteLine(FormattableString.Invariant($"| Drafts ready | {patients} | {string.Join(", ", results.Select(r => r.Ready))} |"));
        output.WriteLine(FormattableString.Invariant($"| Peak working set during the batch (whole process: benchmark + fake endpoint) | — | {results.Max(r => r.PeakWorkingSet) / 1024.0 / 1024:0} MiB |"));
        var allReady = results.All(r => r.Ready == patients && r.MaxInFlight <= concurrency);
        output.WriteLine();
        output.WriteLine(FormattableString.Invariant(
            $"Summary: overhead {medianOverhead:0.0} % of {median.Wall.TotalSeconds:0.00} s (ideal {ideal.TotalSeconds:0.0} s), max {results.Max(r => r.MaxInFlight)} concurrent calls, peak working set {results.Max(r => r.PeakWorkingSet) / 1024.0 / 1024:0} MiB | {(medianOverhead <= 5 && allReady ? "yes" : "no")}"));
        return allReady ? 0 : 1;
    }

    /// <summary>Of the last run: before the first model call, first call to last answer, after the last answer.</summary>
    private static (TimeSpan BeforeFirstCall, TimeSpan Calls, TimeSpan AfterLastAnswer) LastBreakdown;

    private static async Task<(TimeSpan Wall, int MaxInFlight, long PeakWorkingSet, int Ready)> RunOnceAsync(
        FakeEndpoint endpoint, int patients, int concurrency, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("clinicalassist-rounds-bench-").FullName;
        try
        {
            var database = new BenchDatabase($"Data Source={Path.Combine(directory, "bench.db")};Pooling=True");
            var clinician = new Actor("bench-clinician", "Benchmark clinician");
            await using (var db = database.CreateDbContext())
            {
                await db.Database.MigrateAsync(cancellationToken);
                // Every draft re-checks the acting account (AuthorityCheck): the clinician exists with the role.
                var role = new IdentityRole(Roles.Clinician) { NormalizedName = Roles.Clinician.ToUpperInvariant() };
                db.Roles.Add(role);
                db.Users.Add(new ApplicationUser
                {
                    Id = clinician.Id, UserName = "bench@bench.local", NormalizedUserName = "BENCH@BENCH.LOCAL", DisplayName = clinician.Name,
                    SecurityStamp = Guid.NewGuid().ToString(), ConcurrencyStamp = Guid.NewGuid().ToString(),
                });
                db.UserRoles.Add(new IdentityUserRole<string> { UserId = clinician.Id, RoleId = role.Id });
                await db.SaveChangesAsync(cancellationToken);
            }

            var time = TimeProvider.System;
            var source = new DemoRecordSource(Options.Create(new FhirOptions { DemoPatientCount = patients }), time);
            var modelOptions = new ModelOptions
            {
                Provider = ModelProvider.AzureAIInference,
                Endpoint = endpoint.Address,
                Deployment = "fake-rounds-bench",
                // The loopback fake accepts any key: a random one per run, so no credential-looking literal lives in source.
                ApiKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)),
                MaxRetries = 0,
            };
            var model = new DraftModelFactory(NullLoggerFactory.Instance, time, new PromptInjectionDetector()).Create(modelOptions);
            // The product's own registrations (AddDrafting, AddRounds, …) with the model, record source and database replaced.
            await using var host = TestHost.Create(database, model, source, time, new Dictionary<string, string?>
            {
                ["Rounds:MaxConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
            });
            var runner = host.Get<RoundsBatchRunner>();
            var list = host.Get<RoundsList>();
            var batches = host.Get<RoundsBatches>();

            endpoint.ResetCounters();
            using var process = Process.GetCurrentProcess();
            long peak = 0;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    process.Refresh();
                    peak = Math.Max(peak, process.WorkingSet64);
                    try { await Task.Delay(50, sampling.Token); } catch (OperationCanceledException) { }
                }
            }, CancellationToken.None);

            // Measured: from "Prepare drafts" (the list is read, the batch stored) to the batch's completion.
            var startedAt = Stopwatch.GetTimestamp();
            var stopwatch = Stopwatch.StartNew();
            var ids = (await list.GetPatientsAsync(clinician.Id, cancellationToken)).Select(p => p.Patient.Id).ToList();
            var started = await batches.StartAsync(clinician, ids, cancellationToken);
            if (!started.Succeeded) throw new InvalidOperationException(started.Message);
            await runner.RunPendingAsync(cancellationToken);
            stopwatch.Stop();
            await sampling.CancelAsync();
            await sampler;

            await using var check = database.CreateDbContext();
            var ready = await check.RoundsBatchItems.CountAsync(i => i.BatchId == started.BatchId && i.Status == RoundsItemStatus.Ready, cancellationToken);
            var (first, last) = endpoint.Span;
            LastBreakdown = (Stopwatch.GetElapsedTime(startedAt, first), Stopwatch.GetElapsedTime(first, last), stopwatch.Elapsed - Stopwatch.GetElapsedTime(startedAt, last));
            return (stopwatch.Elapsed, endpoint.MaxInFlight, peak, ready);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
        }
    }

    private sealed class BenchDatabase(string connectionString) : IDbContextFactory<AppDbContext>, IHasConnectionString
    {
        public string ConnectionString => connectionString;

        public AppDbContext CreateDbContext()
        {
            var options = new DbContextOptionsBuilder<AppDbContext>();
            options.UseClinicalAssistDatabase(DatabaseProvider.Sqlite, connectionString);
            return new AppDbContext(options.Options);
        }
    }

    /// <summary>A loopback Azure AI Inference chat-completions endpoint: waits the latency, then streams a short
    /// answer (SSE) and counts calls in flight.</summary>
    private sealed class FakeEndpoint : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _inFlight, _maxInFlight;
        private long _firstCall, _lastAnswer;

        /// <summary>Stopwatch timestamps of the first request and the last finished answer since <see cref="ResetCounters"/>.</summary>
        public (long First, long Last) Span => (Interlocked.Read(ref _firstCall), Interlocked.Read(ref _lastAnswer));

        private FakeEndpoint(WebApplication app) => _app = app;

        public Uri Address { get; private set; } = null!;
        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public void ResetCounters()
        {
            Interlocked.Exchange(ref _maxInFlight, 0);
            Interlocked.Exchange(ref _firstCall, 0);
            Interlocked.Exchange(ref _lastAnswer, 0);
        }

        public static async Task<FakeEndpoint> StartAsync(TimeSpan latency)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var endpoint = new FakeEndpoint(app);
            app.MapPost("/chat/completions", endpoint.AnswerAsync);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            endpoint.Address = new Uri(address + "/");
            endpoint._latency = latency;
            return endpoint;
        }

        private TimeSpan _latency;

        private async Task AnswerAsync(HttpContext context)
        {
            Interlocked.CompareExchange(ref _firstCall, Stopwatch.GetTimestamp(), 0);
            var now = Interlocked.Increment(ref _inFlight);
            try
            {
                int max;
                while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max) { }
                using (var reader = new StreamReader(context.Request.Body)) await reader.ReadToEndAsync(context.RequestAborted);
                await Task.Delay(_latency, context.RequestAborted);
                context.Response.ContentType = "text/event-stream";
                string[] pieces =
                [
                    "## Summary\n", "Admitted for the presenting problem, reviewed on the ward round [E1].\n",
                    "## Active problems\n", "- The admission diagnosis remains active [P1].\n",
                    "## Suggested next steps\n", "- Review the latest results with the team.\n",
                ];
                for (var i = 0; i < pieces.Length; i++) await WriteAsync(context.Response, Chunk(pieces[i], i == 0 ? "assistant" : null, null));
                await WriteAsync(context.Response, Chunk(null, null, "stop"));
                await WriteAsync(context.Response, "[DONE]");
                Interlocked.Exchange(ref _lastAnswer, Stopwatch.GetTimestamp());
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        private static async Task WriteAsync(HttpResponse response, string data)
        {
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes("data: " + data + "\n\n"));
            await response.Body.FlushAsync();
        }

        private static string Chunk(string? content, string? role, string? finishReason)
        {
            var delta = new JsonObject();
            if (role is not null) delta["role"] = role;
            if (content is not null) delta["content"] = content;
            return new JsonObject
            {
                ["id"] = "chatcmpl-bench",
                ["object"] = "chat.completion.chunk",
                ["created"] = 1_790_000_000,
                ["model"] = "fake-rounds-bench",
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["delta"] = delta,
                    ["finish_reason"] = finishReason is null ? null : JsonValue.Create(finishReason),
                }),
            }.ToJsonString();
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

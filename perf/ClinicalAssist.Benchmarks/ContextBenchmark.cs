using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Benchmarks;

/// <summary>P1: patient-context assembly through the Server source against a loopback FHIR server (Kestrel, pages
/// pre-serialized, optional per-request latency), compared with one plain fetch-and-parse of the same resources
/// (the I/O limit) and with naive sequential per-type paging; plus Firely JSON parse throughput.</summary>
internal static class ContextBenchmark
{
    public const string Usage =
        "context [--samples <synthea folder>] [--iterations 7] [--latency-ms 0,20] [--page-size 500] [--server-default-page 20]   P1: context assembly vs plain fetch and naive paging";

    /// <summary>The resource types the context searches (from the section table).</summary>
    private static readonly IReadOnlyList<string> Types = ContextSections.Types;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        string? samples = null;
        var iterations = 7;
        var latencies = new[] { 0, 20 };
        var pageSize = 500;
        var serverDefaultPage = 20; // a search without _count gets this page size (HAPI and Medplum default to 20)
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--samples" when value is not null: samples = value; i++; break;
                case "--iterations" when int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0: iterations = n; i++; break;
                case "--latency-ms" when value is not null: latencies = value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray(); i++; break;
                case "--server-default-page" when int.TryParse(value, CultureInfo.InvariantCulture, out var d) && d is > 0 and <= 1000: serverDefaultPage = d; i++; break;
                case "--page-size" when int.TryParse(value, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 1000: pageSize = p; i++; break;
                default:
                    error.WriteLine($"Unknown or incomplete option '{args[i]}'.");
                    error.WriteLine(Usage);
                    return 2;
            }
        }

        samples ??= FindSamples();
        var largestFile = Directory.GetFiles(samples, "*.json").OrderByDescending(f => new FileInfo(f).Length).First();
        var (patient, resources) = await LoadAsync(samples, largestFile);
        var generated = Generate(patient, resources, 10_000);

        output.WriteLine($"# P1 context benchmark — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load {LoadAverage()}");
        output.WriteLine($"page size {pageSize}, the variants of a row timed in interleaved rounds (one run of each per round, order rotating): 2 warm-up rounds, then at least {iterations} timed rounds, more (up to 25) while they took under 3 s per variant; medians reported");
        output.WriteLine();

        ParseThroughput(output, "Largest Synthea bundle (file as is)", await File.ReadAllBytesAsync(largestFile), iterations);
        var generatedBytes = Encoding.UTF8.GetBytes(new FhirJsonSerializer().SerializeToString(AsBundle(generated.Patient, generated.Resources)));
        ParseThroughput(output, "Generated 10,000-resource patient (collection bundle)", generatedBytes, iterations);
        output.WriteLine();

        if (Environment.GetEnvironmentVariable("P1_PROFILE") is { } only)
        {
            var small = only.EndsWith(":small", StringComparison.Ordinal);
            var runs = int.Parse(Environment.GetEnvironmentVariable("P1_RUNS") ?? (small ? "500" : "20"), CultureInfo.InvariantCulture);
            await using var profiled = small
                ? await BenchServer.StartAsync(patient, resources, int.Parse(Environment.GetEnvironmentVariable("P1_LATENCY") ?? "0", CultureInfo.InvariantCulture), serverDefaultPage)
                : await BenchServer.StartAsync(generated.Patient, generated.Resources, int.Parse(Environment.GetEnvironmentVariable("P1_LATENCY") ?? "0", CultureInfo.InvariantCulture), serverDefaultPage);
            if (only.StartsWith("map", StringComparison.Ordinal))
            {
                // Mapping alone: the builder over an already loaded record (no requests, no parse).
                var (mapPatient, mapResources) = small ? (patient, resources) : generated;
                var mapBuilder = new PatientContextBuilder(new NullSource(), TimeProvider.System, NullLogger<PatientContextBuilder>.Instance, Options.Create(new FhirOptions()));
                await TimeAsync(runs, () =>
                {
                    _ = mapBuilder.Build(new PatientRecord(mapPatient, mapResources, []));
                    return System.Threading.Tasks.Task.CompletedTask;
                });
            }
            else if (only.StartsWith("assembly", StringComparison.Ordinal) || only.StartsWith("everything", StringComparison.Ordinal))
            {
                using var assembly = await Assembly.PrepareAsync(profiled, pageSize, everything: only.StartsWith("everything", StringComparison.Ordinal));
                await TimeAsync(runs, assembly.RunAsync);
            }
            else if (only.StartsWith("fhirclient", StringComparison.Ordinal) || only.StartsWith("rawclient", StringComparison.Ordinal))
            {
                // One GET of the whole record through the product's HttpClient (auth + resilience handlers), parsed by
                // the product's FhirClient (fhirclient) or by the product's parser directly (rawclient).
                var clientBuilder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
                clientBuilder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Fhir:Source"] = "Server", ["Fhir:ServerBaseUrl"] = profiled.BaseUrl.ToString() });
                clientBuilder.Logging.ClearProviders();
                clientBuilder.AddPatientContext();
                using var clientHost = clientBuilder.Build();
                var factory = clientHost.Services.GetRequiredService<IHttpClientFactory>();
                var fhirOptions = clientHost.Services.GetRequiredService<IOptions<FhirOptions>>().Value;
                await TimeAsync(runs, only.StartsWith("fhirclient", StringComparison.Ordinal)
                    ? async () =>
                    {
                        using var client = FhirClientFactory.Create(factory, fhirOptions);
                        _ = await client.GetAsync("_all") as Bundle ?? throw new InvalidOperationException("no bundle");
                    }
                    : async () =>
                    {
                        var json = await factory.CreateClient(FhirClientFactory.HttpClientName).GetStringAsync(new Uri(profiled.BaseUrl, "_all"));
                        _ = ProductParser.Deserialize<Bundle>(json);
                    });
            }
            else if (only.StartsWith("naive", StringComparison.Ordinal)) await TimeAsync(runs, () => NaiveAsync(profiled, pageSize, profiled.PatientId, productParser: true));
            else await TimeAsync(runs, () => PlainFetchAsync(profiled, ProductParser));
            Console.Error.WriteLine($"  {only}: {profiled.Requests / (runs + 2.0):F1} requests, {profiled.Bytes / (runs + 2.0) / 1048576:F2} MB per run");
            return 0;
        }

        output.WriteLine("| Patient | Resources | Latency/request | Plain fetch+parse ms | Plain, Firely's validating parse ms | Assembly (searches) ms | ratio (goal ≤ 1.3) | Assembly ($everything) ms | ratio | Naive, product's _count ms | naive ÷ assembly | Naive, server's default page ms | naive (default page) ÷ assembly (goal ≥ 3) | Naive, default page, product's parser ms | ÷ assembly | Requests (assembly / naive / naive default page) |");
        output.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var latency in latencies)
        {
            foreach (var (name, data) in new[] { ("Largest Synthea (" + Path.GetFileName(largestFile)[..Path.GetFileName(largestFile).IndexOf('_', StringComparison.Ordinal)] + ")", (patient, resources)), ("Generated", generated) })
            {
                await using var server = await BenchServer.StartAsync(data.Item1, data.Item2, latency, serverDefaultPage);
                using var searches = await Assembly.PrepareAsync(server, pageSize, everything: false);
                using var viaEverythingHost = await Assembly.PrepareAsync(server, pageSize, everything: true);
                // All variants of a row are timed in interleaved rounds (one run of each per round, the order rotating),
                // so a change in the machine's state (a neighbour, the clock) falls on all of them alike instead of on
                // whichever variant was being timed in a block at the time.
                List<Variant> variants =
                [
                    new("plain", () => PlainFetchAsync(server, ProductParser)),
                    new("plain, validating", () => PlainFetchAsync(server, FirelyValidatingParser)),
                    new("assembly", searches.RunAsync),
                    new("assembly, $everything", viaEverythingHost.RunAsync),
                    new("naive", () => NaiveAsync(server, pageSize, data.Item1.Id!, productParser: false)),
                    new("naive, default page", () => NaiveAsync(server, pageSize: null, data.Item1.Id!, productParser: false)),
                ];
                // The parser only matters where parsing dominates: with latency, the 508 round trips do (and take minutes).
                if (latency == 0)
                {
                    variants.Add(new("naive, default page, product's parser", () => NaiveAsync(server, pageSize: null, data.Item1.Id!, productParser: true)));
                }

                var timed = await TimeInterleavedAsync(iterations, server, variants);
                var plain = Median(timed[0].Times);
                var plainValidating = Median(timed[1].Times);
                var (searchTimes, searchRequests) = timed[2];
                var everythingTimes = timed[3].Times;
                var naive = Median(timed[4].Times);
                var naiveRequests = timed[4].Requests;
                var naiveDefault = Median(timed[5].Times);
                var naiveDefaultRequests = timed[5].Requests;
                var naiveDefaultProductParser = latency == 0 ? Median(timed[6].Times) : double.NaN;
                var assembly = Median(searchTimes);
                var viaEverything = Median(everythingTimes);
                var best = Math.Min(assembly, viaEverything);
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {data.Item2.Count + 1:N0} | {latency} ms | {plain:F1} | {plainValidating:F1} | {assembly:F1} | {assembly / plain:F2} | {viaEverything:F1} | {viaEverything / plain:F2} | {naive:F1} | {naive / best:F1} | {naiveDefault:F1} | {naiveDefault / best:F1} | {(latency == 0 ? naiveDefaultProductParser.ToString("F1", CultureInfo.InvariantCulture) : "—")} | {(latency == 0 ? (naiveDefaultProductParser / best).ToString("F1", CultureInfo.InvariantCulture) : "—")} | {searchRequests} / {naiveRequests} / {naiveDefaultRequests} |"));
            }
        }

        output.WriteLine();
        output.WriteLine("Plain fetch+parse = one GET of a Bundle holding all the patient's resources + one Firely parse on one thread (the I/O limit), with the parser settings the product uses (recoverable, without Firely's model-validation pass); the next column is the same with Firely's validating recoverable parse, for reference.");
        output.WriteLine("Assembly = PatientContextBuilder.BuildAsync through ServerRecordSource (CapabilityStatement read once before timing; Patient read in parallel with the searches, section searches in parallel, next links, reference resolution, mapping).");
        output.WriteLine($"Naive = one FhirClient search per resource type, one after the other, following next links, with the client's lenient (validating) parser, then the same mapping: once asking the same _count as the product ({pageSize}), once without _count (the server's default page, {serverDefaultPage}, as a client that does not ask gets from HAPI or Medplum). The goal ≥ 3× is read against the latter; the last naive column is that client with the product's parser, to show how much of the gain is the parser and how much the strategy.");
        output.WriteLine($"GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}; every timed run starts after a full blocking collection and once the process is idle again (the collector's threads keep working for tens of ms after it). Ratios are of medians taken over the same rounds.");
        return 0;
    }

    internal static async Task<(Patient Patient, List<Resource> Resources)> LoadAsync(string samples, string file)
    {
        var options = Options.Create(new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = samples });
        var source = new DirectoryRecordSource(options, TimeProvider.System, NullLogger<DirectoryRecordSource>.Instance);
        var patientId = (await source.SearchPatientsAsync(null, CancellationToken.None))
            .First(p => file.Contains(p.Mrn ?? "\0", StringComparison.Ordinal)).Id;
        var record = await source.GetRecordAsync(patientId, CancellationToken.None) ?? throw new InvalidOperationException("largest patient not found");
        // Only what the context loads (the clinical types and the Medications/Locations they point at): Claims and
        // ExplanationOfBenefits in Synthea files are never fetched, so the plain fetch must not carry them either.
        return (record.Patient, record.Resources.Where(r => Types.Contains(r.TypeName) || r is Medication or Location).ToList());
    }

    /// <summary>A patient with <paramref name="count"/> resources: the clinical resources of the sample repeated with new ids.</summary>
    internal static (Patient Patient, List<Resource> Resources) Generate(Patient patient, List<Resource> resources, int count)
    {
        var clinical = resources.Where(r => Types.Contains(r.TypeName)).ToList();
        var shared = resources.Where(r => !Types.Contains(r.TypeName)).ToList();
        var result = new List<Resource>(shared);
        for (var i = 0; result.Count < count - 1; i++)
        {
            var copy = (Resource)clinical[i % clinical.Count].DeepCopy();
            copy.Id = $"{copy.Id}-g{i / clinical.Count}";
            result.Add(copy);
        }

        return (patient, result);
    }

    private static Bundle AsBundle(Patient patient, IEnumerable<Resource> resources)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset };
        foreach (var resource in resources.Prepend(patient))
        {
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = $"urn:x:{resource.TypeName}/{resource.Id}", Resource = resource, Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match } });
        }

        bundle.Total = bundle.Entry.Count;
        return bundle;
    }

    private static void ParseThroughput(TextWriter output, string name, byte[] bytes, int iterations)
    {
        ParseThroughput(output, name + ", the product's parser", ProductParser, bytes, iterations);
        ParseThroughput(output, name + ", Firely's validating recoverable parser", FirelyValidatingParser, bytes, iterations);
    }

    private static void ParseThroughput(TextWriter output, string name, FhirJsonDeserializer deserializer, byte[] bytes, int iterations)
    {
        var json = Encoding.UTF8.GetString(bytes);
        var times = new List<double>();
        var entries = 0;
        for (var i = 0; i < iterations + 2; i++)
        {
            var clock = Stopwatch.StartNew();
            var bundle = deserializer.Deserialize<Bundle>(json);
            clock.Stop();
            entries = bundle.Entry.Count;
            if (i >= 2)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        var ms = Median(times);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Firely parse, {name}: {bytes.Length / 1048576.0:F2} MB, {entries:N0} entries, median {ms:F1} ms → {bytes.Length / 1048576.0 / (ms / 1000):F1} MB/s"));
    }

    private static readonly FhirJsonDeserializer ProductParser = new(FhirBundleReader.ReadOptions);

    private static readonly FhirJsonDeserializer FirelyValidatingParser = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));

    private static async System.Threading.Tasks.Task PlainFetchAsync(BenchServer server, FhirJsonDeserializer parser)
    {
        using var http = new HttpClient();
        var json = await http.GetStringAsync(new Uri(server.BaseUrl, "_all"));
        var bundle = parser.Deserialize<Bundle>(json);
        if (bundle.Entry.Count == 0)
        {
            throw new InvalidOperationException("empty");
        }
    }

    /// <summary>One timed variant of a row: a name and one run of it.</summary>
    private sealed record Variant(string Name, Func<System.Threading.Tasks.Task> Run);

    /// <summary>Context assembly through the product's ServerRecordSource and PatientContextBuilder, set up once
    /// (host, HttpClient, CapabilityStatement read) so that a run is one <see cref="PatientContextBuilder.BuildAsync(string, CancellationToken)"/>.</summary>
    private sealed class Assembly : IDisposable
    {
        private readonly IHost _host;
        private readonly BenchServer _server;
        private readonly PatientContextBuilder _builder;
        private readonly ServerRecordSource _source;
        private readonly bool _diag = Environment.GetEnvironmentVariable("P1_DIAG") is not null;
        private readonly List<double> _fetchMs = [];
        private readonly List<double> _mapMs = [];
        private readonly int[] _mapGcs = new int[3];

        private Assembly(IHost host, BenchServer server)
        {
            _host = host;
            _server = server;
            _builder = host.Services.CreateScope().ServiceProvider.GetRequiredService<PatientContextBuilder>();
            _source = (ServerRecordSource)host.Services.GetRequiredService<IPatientRecordSource>();
        }

        public static async Task<Assembly> PrepareAsync(BenchServer server, int pageSize, bool everything)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
            var settings = new Dictionary<string, string?>
            {
                ["Fhir:Source"] = "Server",
                ["Fhir:ServerBaseUrl"] = server.BaseUrl.ToString(),
                ["Fhir:PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
                ["Fhir:MaxResourcesPerType"] = "100000",
                ["Fhir:MaxItemsPerSection"] = "100000",
                ["Fhir:MaxPages"] = "1000",
            };

            builder.Configuration.AddInMemoryCollection(settings);
            builder.Logging.ClearProviders();
            builder.AddPatientContext();
            var assembly = new Assembly(builder.Build(), server);
            // The CapabilityStatement is read once per source and kept: this host sees $everything offered or not.
            server.OffersEverything = everything;
            var strategy = (await assembly._source.GetRecordAsync(server.PatientId, CancellationToken.None))?.Strategy;
            server.OffersEverything = false;
            if (strategy != (everything ? "everything" : "searches"))
            {
                throw new InvalidOperationException("unexpected strategy " + strategy);
            }
            return assembly;
        }

        public async System.Threading.Tasks.Task RunAsync()
        {
            PatientContext context;
            if (_diag)
            {
                var fetchClock = Stopwatch.StartNew();
                var record = await _source.GetRecordAsync(_server.PatientId, CancellationToken.None) ?? throw new InvalidOperationException("no record");
                _fetchMs.Add(fetchClock.Elapsed.TotalMilliseconds);
                var gcBeforeMap = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                var mapClock = Stopwatch.StartNew();
                context = _builder.Build(record);
                _mapMs.Add(mapClock.Elapsed.TotalMilliseconds);
                _mapGcs[0] += GC.CollectionCount(0) - gcBeforeMap.Item1;
                _mapGcs[1] += GC.CollectionCount(1) - gcBeforeMap.Item2;
                _mapGcs[2] += GC.CollectionCount(2) - gcBeforeMap.Item3;
            }
            else
            {
                context = await _builder.BuildAsync(_server.PatientId, CancellationToken.None) ?? throw new InvalidOperationException("no context");
            }

            if (context.Sections.Any(s => s.State is SectionState.Failed or SectionState.Capped))
            {
                throw new InvalidOperationException("incomplete context: " + string.Join("; ", context.Sections.Where(s => s.Message is not null).Select(s => s.Message)));
            }
        }

        public void Dispose()
        {
            if (_diag && _mapMs.Count > 0)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  diag: record (requests, parse, references) median {Median(_fetchMs):F2} ms, mapping median {Median(_mapMs):F2} ms, collections during mapping gen0/1/2 {_mapGcs[0]}/{_mapGcs[1]}/{_mapGcs[2]} over {_mapMs.Count} builds"));
            }

            _host.Dispose();
        }
    }

    private static async System.Threading.Tasks.Task NaiveAsync(BenchServer server, int? pageSize, string patientId, bool productParser)
    {
        using var http = new HttpClient();
        var client = new FhirClient(server.BaseUrl, http, new FhirClientSettings { PreferredFormat = ResourceFormat.Json, VerifyFhirVersion = false });
        if (productParser)
        {
            client.Settings.SerializationEngine = FhirClientFactory.ReadEngine;
        }
        else
        {
            client.WithLenientSerializer();
        }

        var patient = await client.ReadAsync<Patient>($"Patient/{patientId}") ?? throw new InvalidOperationException("no patient");
        var resources = new List<Resource>();
        foreach (var type in Types)
        {
            var query = new SearchParams().Add("subject", "Patient/" + patientId);
            if (pageSize is { } size) query.LimitTo(size);
            var page = await client.SearchAsync(query, type);
            while (page is not null)
            {
                resources.AddRange(page.Entry.Select(e => e.Resource).OfType<Resource>());
                page = page.NextLink is null ? null : await client.ContinueAsync(page);
            }
        }

        var context = new PatientContextBuilder(new NullSource(), TimeProvider.System, NullLogger<PatientContextBuilder>.Instance,
            Options.Create(new FhirOptions { MaxItemsPerSection = 100_000 })).Build(new PatientRecord(patient, resources, []));
        if (context.Sections.Count == 0)
        {
            throw new InvalidOperationException("empty");
        }
    }

    /// <summary>Times the variants in interleaved rounds: each round runs every variant once, in an order rotated by
    /// one each round, each run after a full blocking collection (as <see cref="TimeAsync"/>). 2 warm-up rounds, then at
    /// least <paramref name="iterations"/> timed rounds, more (up to 25) while the timed rounds took under 3 s per variant.
    /// Returns each variant's times and the requests one run of it made.</summary>
    private static async Task<List<(List<double> Times, int Requests)>> TimeInterleavedAsync(int iterations, BenchServer server, IReadOnlyList<Variant> variants)
    {
        var results = variants.Select(_ => (Times: new List<double>(), Requests: 0)).ToList();
        var elapsed = 0.0;
        for (var round = 0; round < iterations + 2 || (round < 27 && elapsed < 3_000 * variants.Count); round++)
        {
            for (var k = 0; k < variants.Count; k++)
            {
                var v = (round + k) % variants.Count;
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                GC.WaitForPendingFinalizers();
                Settle();
                server.Requests = 0;
                var clock = Stopwatch.StartNew();
                await variants[v].Run();
                var ms = clock.Elapsed.TotalMilliseconds;
                if (round >= 2)
                {
                    results[v].Times.Add(ms);
                    results[v] = (results[v].Times, server.Requests);
                    elapsed += ms;
                }
            }
        }

        return results;
    }

    /// <summary>Waits, after the forced collection, until the process is idle (under 1 ms of CPU in 5 ms, at most
    /// 250 ms). Server GC's threads keep working for tens of milliseconds after a forced compacting collection (their
    /// spin and the heap's decommit and tuning): a run started at once shares the second core with them, which costs
    /// a parallel variant (the assembly's searches) and not a single-threaded one (the plain fetch). Measured with
    /// P1_PROFILE=assembly:small / plain:small, 300 runs: started at once 6.6 / 5.4 ms (CPU 12.2 / 8.3 ms per run),
    /// 50 ms later 4.8 / 5.2 ms (CPU 9.1 / 6.8 ms). A context build in the app never starts right after a forced
    /// full collection.</summary>
    internal static void Settle()
    {
        using var process = Process.GetCurrentProcess();
        for (var i = 0; i < 50; i++)
        {
            process.Refresh();
            var before = process.TotalProcessorTime;
            Thread.Sleep(5);
            process.Refresh();
            if (process.TotalProcessorTime - before < TimeSpan.FromMilliseconds(1))
            {
                return;
            }
        }
    }

    private static async Task<List<double>> TimeAsync(int iterations, Func<System.Threading.Tasks.Task> run)
    {
        var times = new List<double>();
        var cpu = TimeSpan.Zero;
        var gc = TimeSpan.Zero;
        long allocated = 0;
        var collections = new int[3];
        // At least `iterations` timed runs; shorter figures get more, up to 25 or 2 s of timed runs, so their median is
        // stable: a few-ms figure is at the mercy of a scheduler tick, and a 150-ms one of whether a collection falls
        // into it (the 10,000-resource record at 0 ms latency: 3 runs gave medians from 2.8× to 4.5× against naive).
        for (var i = 0; i < iterations + 2 || (times.Count < 25 && times.Sum() < 2_000); i++)
        {
            // Every run starts from the same heap: the previous run's context is garbage by now, and a run that
            // happens to pay for collecting it would time the previous run's allocations, not its own.
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            Settle();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var gcBefore = GC.GetTotalPauseDuration();
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: false);
            var collectionsBefore = new[] { GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2) };
            var clock = Stopwatch.StartNew();
            await run();
            if (i >= 2)
            {
                times.Add(clock.Elapsed.TotalMilliseconds);
                cpu += Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                gc += GC.GetTotalPauseDuration() - gcBefore;
                allocated += GC.GetTotalAllocatedBytes(precise: false) - allocatedBefore;
                for (var g = 0; g < 3; g++)
                {
                    collections[g] += GC.CollectionCount(g) - collectionsBefore[g];
                }
            }
        }

        if (Environment.GetEnvironmentVariable("P1_DIAG") is not null)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  diag: {times.Count} runs, median {Median(times):F1} ms, CPU {cpu.TotalMilliseconds / times.Count:F1} ms/run, GC pause {gc.TotalMilliseconds / times.Count:F1} ms/run, allocated {allocated / 1048576.0 / times.Count:F1} MB/run, collections gen0/1/2 (a gen1 counts in gen0 too) {collections[0] / (double)times.Count:F1}/{collections[1] / (double)times.Count:F1}/{collections[2] / (double)times.Count:F1} per run"));
        }

        return times;
    }

    internal static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    internal static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
    }

    internal static string FindSamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fhir-samples", "synthea-r4");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/fhir-samples/synthea-r4 not found above the benchmark; pass --samples");
    }

    private sealed class NullSource : IPatientRecordSource
    {
        public string Name => "none";

        public Task<IReadOnlyList<PatientSummary>> SearchPatientsAsync(string? query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PatientRecord?> GetRecordAsync(string patientId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    /// <summary>A loopback FHIR server whose pages are serialized once and served from memory.</summary>
    internal sealed class BenchServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, byte[]> _pages = new();
        private readonly ConcurrentDictionary<string, List<Resource>> _matches = new();
        private readonly FhirJsonSerializer _serializer = new();
        private int _requests;

        public long Bytes;

        /// <summary>The largest page the server returns whatever <c>_count</c> asks.</summary>
        public const int MaxPageSize = 1000;

        private BenchServer(WebApplication app) => _app = app;

        public Uri BaseUrl { get; private set; } = default!;

        public string PatientId { get; private set; } = "";

        public bool OffersEverything { get; set; }

        public int Requests { get => _requests; set => _requests = value; }

        public static async Task<BenchServer> StartAsync(Patient patient, List<Resource> resources, int latencyMs, int defaultPageSize)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var server = new BenchServer(app) { PatientId = patient.Id! };
            var byType = resources.GroupBy(r => r.TypeName).ToDictionary(g => g.Key, g => g.ToList());
            var all = resources.Prepend(patient).ToList();

            app.Use(async (http, next) =>
            {
                Interlocked.Increment(ref server._requests);
                if (Environment.GetEnvironmentVariable("P1_URLS") is not null) Console.Error.WriteLine($"  {DateTime.UtcNow:ss.fff} GET " + http.Request.Path + http.Request.QueryString);
                if (latencyMs > 0)
                {
                    await System.Threading.Tasks.Task.Delay(latencyMs);
                }

                await next(http);
                if (Environment.GetEnvironmentVariable("P1_URLS") is not null) Console.Error.WriteLine($"  {DateTime.UtcNow:ss.fff} END " + http.Request.Path);
            });
            app.MapGet("/fhir/_all", () => server.Send("_all", () => AsBundle(patient, resources)));
            app.MapGet("/fhir/metadata", () => server.OffersEverything
                ? server.Send("metadata", () => new CapabilityStatement
                {
                    Status = PublicationStatus.Active, Kind = CapabilityStatementKind.Instance, FhirVersion = FHIRVersion.N4_0_1,
                    Rest = [new CapabilityStatement.RestComponent { Mode = CapabilityStatement.RestfulCapabilityMode.Server, Resource =
                        [.. Types.Append("Patient").Select(t => new CapabilityStatement.ResourceComponent { Type = t, Operation = t == "Patient" ? [new CapabilityStatement.OperationComponent { Name = "everything" }] : [] })] }],
                })
                : Results.NotFound());
            app.MapGet("/fhir/Patient/{id}", (string id) => server.Send("patient", () => patient));
            app.MapGet("/fhir/Patient/{id}/$everything", (HttpContext http) => server.SendPage("everything", () => all, http, defaultPageSize, "Patient/" + patient.Id + "/$everything"));
            app.MapGet("/fhir/{type}", (string type, HttpContext http) =>
                server.SendPage(type + http.Request.Query["_id"] + "|" + http.Request.Query["date"].ToString() + "|" + http.Request.Query["date:missing"]
                    + "|" + http.Request.Query["category"] + "|" + http.Request.Query["_sort"],
                    () => byType.TryGetValue(type, out var list)
                        ? (string?)http.Request.Query["_id"] is { } ids ? list.Where(r => ids.Split(',').Contains(r.Id)).ToList() : SortAndFilter(http.Request.Query, FilterByDate(http.Request.Query, list))
                        : [], http, defaultPageSize, type));
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            server.BaseUrl = new Uri(address.TrimEnd('/') + "/fhir/");
            return server;
        }

        /// <summary>The date search parameter (<c>date=[ge|lt]yyyy-MM-dd</c>, repeatable, and <c>date:missing</c>) on
        /// effective/period/performed/date/occurrence (a Period by its start), so the Server source can split searches.</summary>
        private static List<Resource> FilterByDate(IQueryCollection query, List<Resource> list)
        {
            var missing = (string?)query["date:missing"];
            var values = query["date"].OfType<string>().ToList();
            if (missing is null && values.Count == 0)
            {
                return list;
            }

            return list.Where(r =>
            {
                var date = ToDate(r switch
                {
                    Observation o => o.Effective,
                    Encounter e => e.Period,
                    Procedure p => p.Performed,
                    DiagnosticReport d => d.Effective,
                    DocumentReference d => d.DateElement,
                    Immunization i => i.Occurrence,
                    _ => null,
                });
                if (missing is not null && (date is null) != (missing == "true"))
                {
                    return false;
                }

                return values.All(v =>
                {
                    var day = DateTimeOffset.Parse(v[2..], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                    return date is { } d && (v[..2] switch { "ge" => d >= day, "lt" => d < day, _ => throw new NotSupportedException("date prefix " + v[..2]) });
                });
            }).ToList();
        }

        /// <summary><c>category</c> (Observation, any of the comma-separated codes) and <c>_sort=-date</c> (newest first,
        /// undated last), as FHIR servers answer them.</summary>
        private static List<Resource> SortAndFilter(IQueryCollection query, List<Resource> list)
        {
            IEnumerable<Resource> result = list;
            if ((string?)query["category"] is { } categories)
            {
                var wanted = categories.Split(',');
                result = result.Where(r => r is not Observation o || o.Category.SelectMany(c => c.Coding).Any(c => wanted.Contains(c.Code)));
            }

            if ((string?)query["_sort"] == "-date")
            {
                result = result.OrderByDescending(r => ToDate(ContextSections.DateElement(r)) ?? DateTimeOffset.MinValue);
            }

            return result.ToList();
        }

        private static DateTimeOffset? ToDate(DataType? value) => value switch
        {
            FhirDateTime dt when dt.TryToDateTimeOffset(TimeSpan.Zero, out var d) => d,
            Instant i => i.Value,
            Period { StartElement: { } start } => ToDate(start),
            _ => null,
        };

        private IResult Send(string key, Func<Resource> make) =>
            Counted(_pages.GetOrAdd(key, _ => Encoding.UTF8.GetBytes(_serializer.SerializeToString(make()))));

        private IResult Counted(byte[] body)
        {
            Interlocked.Add(ref Bytes, body.Length);
            return Results.Bytes(body, "application/fhir+json");
        }

        /// <summary>A page of a search, built once per query and page (like a server's index, the filtering is not
        /// redone per request: the server shares the client's cores, and its work must not be charged to the client).</summary>
        private IResult SendPage(string key, Func<List<Resource>> matches, HttpContext http, int defaultPageSize, string path)
        {
            // Servers clamp _count (Medplum at 1,000; HAPI's default maximum is lower): so does this one.
            var size = Math.Min(MaxPageSize, int.TryParse(http.Request.Query["_count"], out var c) ? c : defaultPageSize);
            var page = int.TryParse(http.Request.Query["page"], out var p) ? p : 0;
            return Counted(_pages.GetOrAdd($"{key}|{size}|{page}", _ =>
            {
                var all = _matches.GetOrAdd(key, _ => matches());
                var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = all.Count };
                foreach (var resource in all.Skip(page * size).Take(size))
                {
                    bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = $"{BaseUrl}{resource.TypeName}/{resource.Id}", Resource = resource, Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match } });
                }

                if ((page + 1) * size < all.Count)
                {
                    var query = QueryString.Create(http.Request.Query.Where(kv => kv.Key != "page").Append(new("page", (page + 1).ToString(CultureInfo.InvariantCulture))));
                    bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = $"{BaseUrl}{path}{query}" });
                }

                return Encoding.UTF8.GetBytes(_serializer.SerializeToString(bundle));
            }));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

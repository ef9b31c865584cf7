using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace ClinicalAssist.Benchmarks.Capacity;

/// <summary>
/// P5 capacity: ramps signed-in clinician circuits against the real app (a child process) with
/// <see cref="BlazorCircuitClient"/>, and at each step reports the app's working set per idle circuit and the
/// interaction latency (navigation list → chart → list, as a link click sends it) while every circuit interacts
/// with think time.
/// </summary>
public static partial class CapacityBenchmark
{
    public const string Usage =
        "capacity [--steps 0,50,100,200,300,400,500] [--interactions 2] [--think-seconds 10] [--open-parallel 8] [--stop-p95-ms 10000] [--app-env KEY=VALUE]... [--no-gcdump] [--gcdump-dir DIR]\n" +
        "  P5: signed-in Blazor circuits against the real app (Release build) over the blazorpack protocol; latency and memory per step.\n" +
        "  With dotnet-gcdump installed, also the managed heap after a full GC (and its growth by type) per step.";

    private const string Clinician = "clinician@demo.local";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter progress)
    {
        int[] steps = [0, 50, 100, 200, 300, 400, 500];
        var interactions = 2;
        var think = 10.0;
        var parallel = 8;
        var stopP95 = 10000.0;
        var appEnv = new Dictionary<string, string>();
        var gcdump = true;
        string? gcdumpDir = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--steps": steps = [.. value!.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]; i++; break;
                case "--interactions": interactions = int.Parse(value!, CultureInfo.InvariantCulture); i++; break;
                case "--think-seconds": think = double.Parse(value!, CultureInfo.InvariantCulture); i++; break;
                case "--open-parallel": parallel = int.Parse(value!, CultureInfo.InvariantCulture); i++; break;
                case "--stop-p95-ms": stopP95 = double.Parse(value!, CultureInfo.InvariantCulture); i++; break;
                case "--no-gcdump": gcdump = false; break;
                case "--gcdump-dir": gcdumpDir = value; i++; break;
                case "--app-env" when value?.Contains('=', StringComparison.Ordinal) == true: appEnv[value[..value.IndexOf('=', StringComparison.Ordinal)]] = value[(value.IndexOf('=', StringComparison.Ordinal) + 1)..]; i++; break;
                default:
                    progress.WriteLine($"Unknown option {args[i]}.\n{Usage}");
                    return 2;
            }
        }
        if (steps.Length == 0 || steps[0] != 0) steps = [0, .. steps];

        // Load-run settings (said in the report): many sign-ins from one address, no idle sign-out during the run,
        // warnings-only logging so the console does not dominate.
        var settings = new Dictionary<string, string>
        {
            ["SignInRateLimit__PermitsPerMinute"] = "10000",
            ["Session__IdleTimeout"] = "02:00:00",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in appEnv) settings[key] = value;
        var wall = Stopwatch.StartNew();
        var loadStart = LoadAverage();
        progress.WriteLine("capacity: starting the app (Release build) ...");
        await using var app = await AppProcess.StartAsync(settings, TimeSpan.FromSeconds(120), progress);
        var timeout = TimeSpan.FromSeconds(60);
        using var stop = new CancellationTokenSource();
        var clients = new List<BlazorCircuitClient>();
        var pinger = Task.Run(async () =>
        {
            // SignalR's client timeout is 30 s: a browser pings every 15 s; so do we, for every circuit.
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
            while (await timer.WaitForNextTickAsync(stop.Token).ConfigureAwait(false))
            {
                BlazorCircuitClient[] all;
                lock (clients) all = [.. clients];
                foreach (var c in all) await c.PingAsync(stop.Token).ConfigureAwait(false);
            }
        });

        // Warm-up: one sign-in, the list and a few charts (JIT, caches), then closed; its patient ids drive the run.
        var warmCookies = await BlazorCircuitClient.SignInAsync(app.BaseAddress, Clinician, app.DemoPassword, stop.Token);
        var patients = await PatientIdsAsync(app.BaseAddress, warmCookies, stop.Token);
        if (patients.Count == 0) throw new InvalidOperationException("The patient list shows no patients.");
        // Every chart once: a chart that does not render here is reported and left out of the run (not hidden).
        var excluded = new List<string>();
        await using (var warm = await BlazorCircuitClient.OpenAsync(app.BaseAddress, warmCookies, "patients", "patient-table", timeout, stop.Token))
        {
            foreach (var id in patients.ToList())
            {
                try
                {
                    var ms = await warm.NavigateAsync("patients/" + Uri.EscapeDataString(id), "patient-name", TimeSpan.FromSeconds(20), stop.Token);
                    progress.WriteLine($"capacity: warm-up chart {patients.IndexOf(id) + 1}: {ms:0} ms ({warm.RenderBatches} batches, {warm.JsCalls} JS calls so far)");
                }
                catch (TimeoutException)
                {
                    excluded.Add(id);
                    patients.Remove(id);
                    progress.WriteLine($"capacity: warm-up: a chart did not render within 20 s; left out ({warm.CloseError ?? "circuit still open"})");
                }
                await warm.NavigateAsync("patients", "patient-table", timeout, stop.Token);
            }
        }
        if (patients.Count == 0) throw new InvalidOperationException("No chart rendered in the warm-up.");
        await Task.Delay(TimeSpan.FromSeconds(5), stop.Token);
        var baseline = await SettledRssAsync(app);
        progress.WriteLine($"capacity: baseline working set {Mb(baseline)} MB; {patients.Count} patients");
        var tool = gcdump ? GcDump.ToolPath() : null;
        if (gcdump && tool is null) progress.WriteLine("capacity: dotnet-gcdump not found (dotnet tool install -g dotnet-gcdump): no managed-heap figures.");
        if (tool is not null) gcdumpDir = Directory.CreateDirectory(gcdumpDir ?? Path.Combine(Path.GetTempPath(), $"clinicalassist-p5-gcdump-{DateTime.UtcNow:yyyyMMdd-HHmmss}")).FullName;
        async Task<(GcDump.Heap Heap, long RssAfter)?> HeapAsync(int circuits)
        {
            if (tool is null) return null;
            var heap = await GcDump.CollectAsync(tool, app.ProcessId, Path.Combine(gcdumpDir!, $"app-{circuits}-circuits.gcdump"), stop.Token);
            await Task.Delay(TimeSpan.FromSeconds(2), stop.Token);
            var rss = await SettledRssAsync(app);
            progress.WriteLine($"capacity: {circuits} circuits: managed heap after full GC {Mb(heap.Bytes)} MB ({heap.Objects:N0} objects), working set after it {Mb(rss)} MB");
            return (heap, rss);
        }
        var baseHeap = await HeapAsync(0);

        var rows = new List<StepRow>();
        var random = new Random(42);
        string? stoppedBecause = null;
        foreach (var target in steps)
        {
            var opening = Stopwatch.StartNew();
            var openErrors = 0;
            var toOpen = target - clients.Count;
            if (toOpen > 0)
            {
                await Parallel.ForEachAsync(Enumerable.Range(0, toOpen), new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = stop.Token }, async (_, ct) =>
                {
                    try
                    {
                        var cookies = await BlazorCircuitClient.SignInAsync(app.BaseAddress, Clinician, app.DemoPassword, ct);
                        var client = await BlazorCircuitClient.OpenAsync(app.BaseAddress, cookies, "patients", "patient-table", timeout, ct);
                        lock (clients) clients.Add(client);
                    }
                    catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException or System.Net.WebSockets.WebSocketException or TaskCanceledException)
                    {
                        if (Interlocked.Increment(ref openErrors) <= 3) progress.WriteLine("capacity: open failed: " + ex.Message);
                    }
                });
            }
            var openSeconds = opening.Elapsed.TotalSeconds;
            await Task.Delay(TimeSpan.FromSeconds(5), stop.Token);
            var idleRss = await SettledRssAsync(app);
            var heapNow = target == 0 ? baseHeap : await HeapAsync(target);
            int open;
            lock (clients) open = clients.Count(c => c.IsOpen);

            // Interactions: every circuit alternates chart and list with random think time (mean think seconds).
            var latencies = new ConcurrentBag<double>();
            var errors = 0;
            BlazorCircuitClient[] active;
            lock (clients) active = [.. clients.Where(c => c.IsOpen)];
            var seeds = active.Select(_ => random.Next()).ToArray();
            var loadDuring = "";
            var interacting = Stopwatch.StartNew();
            var sampler = Task.Run(async () => { await Task.Delay(TimeSpan.FromSeconds(think * interactions), stop.Token); loadDuring = LoadAverage(); });
            var peakDuring = ProcessMemory.StartSampling(app.ProcessId, TimeSpan.FromMilliseconds(500));
            await Task.WhenAll(active.Select(async (client, index) =>
            {
                var r = new Random(seeds[index]);
                for (var k = 0; k < interactions; k++)
                {
                    foreach (var (path, ready) in new[] { ("patients/" + Uri.EscapeDataString(patients[r.Next(patients.Count)]), "patient-name"), ("patients", "patient-table") })
                    {
                        await Task.Delay(TimeSpan.FromSeconds(r.NextDouble() * think), stop.Token);
                        try
                        {
                            latencies.Add(await client.NavigateAsync(path, ready, timeout, stop.Token));
                        }
                        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
                        {
                            if (Interlocked.Increment(ref errors) <= 3) progress.WriteLine("capacity: interaction failed: " + ex.Message);
                            return;
                        }
                    }
                }
            }));
            await sampler;
            await peakDuring.DisposeAsync();
            var sorted = latencies.Order().ToArray();
            var row = new StepRow(target, open, openErrors, openSeconds, idleRss, idleRss - baseline, peakDuring.Peak,
                sorted.Length, errors, Percentile(sorted, 0.50), Percentile(sorted, 0.95), sorted.Length > 0 ? sorted[^1] : double.NaN,
                sorted.Length / interacting.Elapsed.TotalSeconds, loadDuring, heapNow?.Heap, heapNow?.RssAfter ?? 0);
            rows.Add(row);
            progress.WriteLine($"capacity: {row.Target} circuits ({row.Open} open, {row.OpenErrors} failed to open, {row.OpenSeconds:0} s): idle {Mb(row.IdleRss)} MB, " +
                $"{(row.Open > 0 ? (row.Delta / 1024.0 / row.Open).ToString("0", CultureInfo.InvariantCulture) : "-")} KB/circuit; {row.Interactions} interactions p50 {row.P50:0} ms p95 {row.P95:0} ms, {row.Errors} errors; load {row.Load}");
            if (row.P95 > stopP95 || row.Errors > Math.Max(5, row.Interactions / 20) || row.OpenErrors > Math.Max(5, toOpen / 20))
            {
                stoppedBecause = $"stopped after {target} circuits: p95 {row.P95:0} ms (stop at {stopP95:0}), {row.Errors} interaction errors, {row.OpenErrors} open errors";
                break;
            }
        }

        await stop.CancelAsync();
        try { await pinger; } catch (OperationCanceledException) { }
        var closing = clients.Select(c => c.DisposeAsync().AsTask()).ToArray();
        await Task.WhenAll(closing);

        Report(output, rows, baseline, interactions, think, parallel, patients.Count, stoppedBecause, loadStart, wall.Elapsed);
        if (baseHeap is not null) HeapReport(output, rows, baseHeap.Value.Heap, baseHeap.Value.RssAfter, gcdumpDir!);
        if (appEnv.Count > 0) output.WriteLine("App environment added for this run: " + string.Join(", ", appEnv.Select(e => e.Key + "=" + e.Value)) + ".");
        if (excluded.Count > 0) output.WriteLine($"Left out: {excluded.Count} demo patient chart(s) did not render (no batch with the chart's name) within 20 s in the warm-up.");
        return 0;
    }

    private sealed record StepRow(int Target, int Open, int OpenErrors, double OpenSeconds, long IdleRss, long Delta, long PeakRss,
        int Interactions, int Errors, double P50, double P95, double Max, double PerSecond, string Load, GcDump.Heap? Heap, long RssAfterGc);

    private static void Report(TextWriter o, List<StepRow> rows, long baseline, int interactions, double think, int parallel, int patients,
        string? stopped, string loadStart, TimeSpan wall)
    {
        o.WriteLine($"# P5 capacity — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        o.WriteLine();
        o.WriteLine($"Machine: {Machine.Describe()}. Load average at start {loadStart}.");
        o.WriteLine($"Each circuit: its own sign-in (Identity form), GET /patients, a Blazor circuit over WebSocket (blazorpack), then {interactions}× " +
            $"(chart of a random one of {patients} demo patients, back to the list) as link clicks (OnLocationChanged), each after a random think time of 0–{think:0.#} s. " +
            "Latency = OnLocationChanged sent → the render batch holding the new page's content received (client and app on the same 2 cores). " +
            $"Working set = the app process's VmRSS (/proc) 5 s after the step's circuits opened, before interacting; baseline (0 circuits, after a warm-up) {Mb(baseline)} MB. Opened {parallel} at a time.");
        o.WriteLine();
        o.WriteLine("| Circuits | open | failed to open | open time s | idle working set MB | KB per idle circuit (vs 0) | KB per circuit (this step vs previous) | peak working set while interacting MB | interactions | errors | p50 ms | p95 ms | max ms | interactions/s | load (1 min) |");
        o.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        StepRow? previous = null;
        foreach (var r in rows)
        {
            var perCircuit = r.Open > 0 ? (r.Delta / 1024.0 / r.Open).ToString("0", CultureInfo.InvariantCulture) : "—";
            var marginal = previous is not null && r.Open > previous.Open
                ? ((r.IdleRss - previous.IdleRss) / 1024.0 / (r.Open - previous.Open)).ToString("0", CultureInfo.InvariantCulture) : "—";
            o.WriteLine($"| {r.Target} | {r.Open} | {r.OpenErrors} | {r.OpenSeconds:0} | {Mb(r.IdleRss)} | {perCircuit} | {marginal} | {Mb(r.PeakRss)} | {r.Interactions} | {r.Errors} | {F(r.P50)} | {F(r.P95)} | {F(r.Max)} | {r.PerSecond:0.0} | {r.Load} |");
            previous = r;
        }
        o.WriteLine();
        var top = rows.Where(r => r.Open > 0).LastOrDefault();
        var degrade = rows.FirstOrDefault(r => r.Interactions > 0 && (r.P95 > 200 || r.Errors > 0));
        var at500 = rows.FirstOrDefault(r => r.Open >= 500);
        if (stopped is not null) o.WriteLine($"Ramp {stopped}.");
        o.WriteLine(degrade is null
            ? "Degradation: p95 stayed ≤ 200 ms with no errors at every step measured."
            : $"Degradation: first step over p95 200 ms or with errors: {degrade.Target} circuits (p95 {F(degrade.P95)} ms, {degrade.Errors} errors).");
        if (top is not null)
        {
            var kb = top.Delta / 1024.0 / top.Open;
            var p95 = at500?.P95 ?? double.NaN;
            o.WriteLine();
            o.WriteLine($"Summary: {top.Open} circuits open; p95 {(at500 is null ? "n/a (500 not reached)" : F(p95) + " ms")} at 500 (goal ≤ 200 ms); " +
                $"{kb:0} KB per idle circuit at {top.Open} (goal ≤ 300 KB)" +
                $" | {(at500 is not null && p95 <= 200 ? "latency yes" : "latency no")}, {(kb <= 300 ? "memory yes" : "memory no")}");
        }
        o.WriteLine($"Wall time: {wall.TotalSeconds:0} s. Load average at end {LoadAverage()}.");
    }

    private static void HeapReport(TextWriter o, List<StepRow> rows, GcDump.Heap baseHeap, long baseRssAfterGc, string dir)
    {
        o.WriteLine();
        o.WriteLine("Managed heap after a full blocking GC (`dotnet-gcdump collect` on the app right after the idle working-set reading; live objects only, " +
            $"no garbage, no GC-committed free space), and the working set read 2 s after that GC. gcdump files: {dir}");
        o.WriteLine();
        o.WriteLine("| Circuits | open | managed heap MB | KB heap per idle circuit (vs 0) | working set after full GC MB | KB working set per idle circuit after GC (vs 0) |");
        o.WriteLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows.Where(r => r.Heap is not null))
        {
            var heapKb = r.Open > 0 ? ((r.Heap!.Bytes - baseHeap.Bytes) / 1024.0 / r.Open).ToString("0", CultureInfo.InvariantCulture) : "—";
            var rssKb = r.Open > 0 ? ((r.RssAfterGc - baseRssAfterGc) / 1024.0 / r.Open).ToString("0", CultureInfo.InvariantCulture) : "—";
            o.WriteLine($"| {r.Target} | {r.Open} | {Mb(r.Heap!.Bytes)} | {heapKb} | {Mb(r.RssAfterGc)} | {rssKb} |");
        }
        var top = rows.LastOrDefault(r => r.Heap is not null && r.Open > 0);
        if (top is null) return;
        o.WriteLine();
        o.WriteLine($"Retained per idle circuit at {top.Open} circuits, by type (growth of the live heap from 0 circuits, divided by {top.Open}; top 25). " +
            "Objects are exact; bytes are estimated as objects × the one instance size `dotnet-gcdump report` prints per type (exact for fixed-size types, " +
            "an estimate for arrays and strings, which the report buckets as `(Bytes > 1K)` etc.):");
        o.WriteLine();
        o.WriteLine("| Type | ≈ bytes per circuit | objects per circuit |");
        o.WriteLine("|---|---:|---:|");
        foreach (var (type, bytes, count) in GcDump.Growth(baseHeap, top.Heap!, 25))
        {
            o.WriteLine($"| `{type.Replace("|", "\\|", StringComparison.Ordinal)}` | {bytes / (double)top.Open:N0} | {count / (double)top.Open:0.#} |");
        }
    }

    private static async Task<List<string>> PatientIdsAsync(Uri baseAddress, CookieContainer cookies, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies }) { BaseAddress = baseAddress };
        var html = await http.GetStringAsync("patients", ct);
        return [.. PatientLink().Matches(html).Select(m => Uri.UnescapeDataString(WebUtility.HtmlDecode(m.Groups[1].Value))).Distinct()];
    }

    [GeneratedRegex("href=\"patients/([^\"]+)\"")]
    private static partial Regex PatientLink();

    /// <summary>The lowest of three samples a second apart: idle memory without a transient spike.</summary>
    private static async Task<long> SettledRssAsync(AppProcess app)
    {
        var low = long.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            low = Math.Min(low, app.Memory().Rss);
            await Task.Delay(1000);
        }
        return low;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string F(double v) => double.IsNaN(v) ? "—" : v.ToString("0", CultureInfo.InvariantCulture);
    private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);

    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "n/a"; }
    }
}

/// <summary>The machine line every figure carries: cores, RAM, OS, .NET.</summary>
public static class Machine
{
    public static string Describe()
    {
        var ram = "?";
        try
        {
            var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
            ram = (long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " GB RAM";
        }
        catch (IOException) { }
        return $"{Environment.ProcessorCount} cores, {ram}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}";
    }
}

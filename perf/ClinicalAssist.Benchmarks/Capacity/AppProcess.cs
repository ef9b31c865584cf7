using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ClinicalAssist.Benchmarks.Capacity;

/// <summary>
/// The real app (its Release build output, src/ClinicalAssist.Web/bin/Release/net10.0) as a child process on a free
/// loopback port with its own SQLite file, Data Protection keys and a generated demo-user password — the way the
/// browser tests' AppHost starts it. Extra settings are passed as environment variables.
/// </summary>
public sealed partial class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _dataDirectory;

    public Uri BaseAddress { get; }
    public string DemoPassword { get; }
    public int ProcessId => _process.Id;

    private AppProcess(Process process, Uri baseAddress, string dataDirectory, string password)
    {
        _process = process;
        BaseAddress = baseAddress;
        _dataDirectory = dataDirectory;
        DemoPassword = password;
    }

    public static string RepoRoot { get; } = FindRoot();

    public static async Task<AppProcess> StartAsync(IReadOnlyDictionary<string, string> settings, TimeSpan timeout, TextWriter log)
    {
        var webDir = Path.Combine(RepoRoot, "src", "ClinicalAssist.Web");
        var dll = Path.Combine(webDir, "bin", "Release", "net10.0", "ClinicalAssist.Web.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The app is not built at {dll}: build it in Release first (dotnet build -c Release src/ClinicalAssist.Web).");
        }

        var data = Directory.CreateTempSubdirectory("clinicalassist-perf-").FullName;
        var password = "Perf-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8)) + "!a";
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = webDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__ClinicalAssist"] = $"Data Source={Path.Combine(data, "perf.db")}";
        start.Environment["DataProtection__KeysDirectory"] = Path.Combine(data, "keys");
        start.Environment["DemoUsers__Password"] = password;
        start.Environment["Logging__Console__FormatterName"] = "simple";
        // "Now listening on" is logged by Microsoft.Hosting.Lifetime at Information.
        start.Environment["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information";
        foreach (var (key, value) in settings) start.Environment[key] = value;

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var found = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tail = new Queue<string>();
        void Keep(string line)
        {
            lock (tail)
            {
                tail.Enqueue(line);
                if (tail.Count > 40) tail.Dequeue();
            }
        }
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Keep(e.Data);
            if (ListeningLine().Match(e.Data) is { Success: true } m) found.TrySetResult(new Uri(m.Groups[1].Value + "/"));
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Keep("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var completed = await Task.WhenAny(found.Task, Task.Delay(timeout), process.WaitForExitAsync());
        if (completed != found.Task)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            lock (tail) log.WriteLine(string.Join(Environment.NewLine, tail));
            throw new InvalidOperationException($"The app did not start listening within {timeout.TotalSeconds:0} s.");
        }
        return new AppProcess(process, await found.Task, data, password);
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>Resident set (working set) of the app process now and its peak so far, from /proc (bytes).</summary>
    public (long Rss, long PeakRss) Memory() => ProcessMemory.Read(_process.Id);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClinicalAssist.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("ClinicalAssist.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// Working set of any process, read from /proc/&lt;pid&gt;/status (VmRSS = now, VmHWM = peak since start), plus a
/// sampler that records the peak over an interval — for "peak working set of the app during a batch".
/// </summary>
public static class ProcessMemory
{
    public static (long Rss, long PeakRss) Read(int pid)
    {
        long rss = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kb(line);
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) peak = Kb(line);
        }
        return (rss, peak);

        static long Kb(string line) => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Samples the working set every <paramref name="interval"/> until disposed; <see cref="Sampler.Peak"/>
    /// is the highest sample (and /proc's own peak, VmHWM, is read at the end as a cross-check).</summary>
    public static Sampler StartSampling(int pid, TimeSpan interval) => new(pid, interval);

    public sealed class Sampler : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly int _pid;
        public long Peak { get; private set; }
        public long First { get; private set; }
        public long Last { get; private set; }
        public int Samples { get; private set; }

        internal Sampler(int pid, TimeSpan interval)
        {
            _pid = pid;
            First = Read(pid).Rss;
            _loop = Task.Run(async () =>
            {
                using var timer = new PeriodicTimer(interval);
                do
                {
                    try
                    {
                        var rss = Read(_pid).Rss;
                        Last = rss;
                        Samples++;
                        if (rss > Peak) Peak = rss;
                    }
                    catch (IOException) { return; }
                }
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false) is true);
            });
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            try { await _loop; } catch (OperationCanceledException) { }
            _stop.Dispose();
        }
    }
}

using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// Runs the real app (its build output) as a child process on a free loopback port with its own SQLite file,
/// Data Protection keys and demo-user password — the embedded defaults a new user gets, nothing mocked.
/// </summary>
public sealed partial class AppHost : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output;

    public Uri BaseAddress { get; }

    private AppHost(Process process, Uri baseAddress, List<string> output)
    {
        _process = process;
        BaseAddress = baseAddress;
        _output = output;
    }

    public IReadOnlyList<string> Output { get { lock (_output) return [.. _output]; } }

    /// <summary>The app's process id (the soak samples its memory from /proc).</summary>
    public int ProcessId => _process.Id;

    public static async Task<AppHost> StartAsync(string dataDirectory, string demoPassword, TimeSpan timeout,
        IReadOnlyDictionary<string, string>? settings = null)
    {
        var dll = Path.Combine(RepoPaths.WebOutputDirectory, "ClinicalAssist.Web.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"The app is not built at {dll}. Run the README's test command from the repository root.");
        }

        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.WebProjectDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__ClinicalAssist"] = $"Data Source={Path.Combine(dataDirectory, "e2e.db")}";
        start.Environment["DataProtection__KeysDirectory"] = Path.Combine(dataDirectory, "keys");
        start.Environment["DemoUsers__Password"] = demoPassword;
        start.Environment["Logging__LogLevel__Default"] = "Information";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        // Up to four app processes and Chromium share the test machine's cores with the unit suite; server GC's per-core
        // heaps and spinning GC threads multiply under that contention (the test command took 441 s with it, 336 s
        // without, quiet 2-core machine). The opt-in app-overhead measurement keeps the product's default, server GC.
        if (Environment.GetEnvironmentVariable("CLINICALASSIST_P3_GOAL") != "1")
        {
            start.Environment["DOTNET_gcServer"] = "0";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var lines = new List<string>();
        var host = new AppHost(process, await WaitForAddressAsync(process, timeout), lines);
        return host;

        async Task<Uri> WaitForAddressAsync(Process p, TimeSpan limit)
        {
            var found = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            p.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null) return;
                lock (lines) lines.Add(e.Data);
                if (ListeningLine().Match(e.Data) is { Success: true } m) found.TrySetResult(new Uri(m.Groups[1].Value));
            };
            p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add("stderr: " + e.Data); };
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            var completed = await Task.WhenAny(found.Task, Task.Delay(limit), p.WaitForExitAsync());
            if (completed != found.Task)
            {
                try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                string log;
                lock (lines) log = string.Join(Environment.NewLine, lines.TakeLast(60));
                throw new InvalidOperationException($"The app did not start listening within {limit.TotalSeconds:0} s. Output:{Environment.NewLine}{log}");
            }
            return await found.Task;
        }
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex ListeningLine();

    /// <summary>The app's console output (kept as a test artifact; it must never hold patient identifiers).</summary>
    public void SaveOutput(string name) =>
        File.WriteAllLines(Path.Combine(RepoPaths.ArtifactsDirectory, name + ".log"), Output);

    /// <summary>Ends the app the way a crash or a power cut would: no graceful shutdown.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}

public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string WebProjectDirectory => Path.Combine(Root, "src", "ClinicalAssist.Web");

    /// <summary>The web app's output for the same configuration this test assembly was built with.</summary>
    public static string WebOutputDirectory
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name; // bin/<Configuration>/net10.0
            return Path.Combine(WebProjectDirectory, "bin", configuration, "net10.0");
        }
    }

    public static string ArtifactsDirectory
    {
        get
        {
            var dir = Path.Combine(Root, "artifacts", "browser-tests");
            Directory.CreateDirectory(dir);
            return dir;
        }
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

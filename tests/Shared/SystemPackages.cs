using System.Diagnostics;

namespace ClinicalAssist.TestSupport;

/// <summary>
/// Installs a Debian package the tests need (Chromium for the browser tests, Node.js for the Medplum FHIR host) the
/// first time a test asks for it, so the README's test command is the whole set-up on a fresh Debian/Ubuntu machine.
/// One install at a time across every test process on the machine (a lock file beside apt's own), and at most once
/// per process. Elsewhere (not root, no apt-get) it fails with one line that names the command to run.
/// </summary>
public static class SystemPackages
{
    private static readonly SemaphoreSlim InProcess = new(1, 1);
    private static readonly Dictionary<string, Task> Installed = new(StringComparer.Ordinal);
    private static readonly string LockFile = Path.Combine(Path.GetTempPath(), "clinicalassist-apt.lock");

    /// <summary>Makes sure <paramref name="executable"/> exists, installing <paramref name="packages"/> with apt-get
    /// when it does not. Returns the executable's path.</summary>
    public static async Task<string> EnsureAsync(string executable, string packages, CancellationToken cancellationToken = default)
    {
        if (Find(executable) is { } found) return found;

        Task install;
        await InProcess.WaitAsync(cancellationToken);
        try
        {
            if (!Installed.TryGetValue(packages, out install!))
            {
                Installed[packages] = install = InstallAsync(executable, packages);
            }
        }
        finally
        {
            InProcess.Release();
        }

        await install.WaitAsync(cancellationToken);
        return Find(executable) ?? throw new InvalidOperationException(
            $"'{executable}' is still missing after installing {packages}. Install it by hand: apt-get install -y {packages}");
    }

    private static async Task InstallAsync(string executable, string packages)
    {
        if (!OperatingSystem.IsLinux() || Environment.UserName != "root" || Find("apt-get") is null)
        {
            throw new InvalidOperationException(
                $"'{executable}' is missing and this machine cannot install it for the tests (needs root on Debian/Ubuntu). Run: sudo apt-get install -y {packages}");
        }

        // Another test process (the other test assembly) may be installing right now: wait for its lock.
        await using var held = await AcquireLockAsync(TimeSpan.FromMinutes(15));
        if (Find(executable) is not null) return; // installed while we waited

        Console.Error.WriteLine($"[tests] '{executable}' is missing: installing Debian package(s) {packages} (once)...");
        await RunAsync("apt-get", "update -qq", TimeSpan.FromMinutes(5));
        await RunAsync("apt-get", $"install -y -qq --no-install-recommends {packages}", TimeSpan.FromMinutes(10));
    }

    private static async Task<FileStream> AcquireLockAsync(TimeSpan limit)
    {
        var stopwatch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(LockFile, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (stopwatch.Elapsed < limit)
            {
                await Task.Delay(500);
            }
        }
    }

    private static async Task RunAsync(string file, string arguments, TimeSpan limit)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException(file + " could not be started");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {arguments} did not finish within {limit.TotalMinutes:0} min");
        }

        if (process.ExitCode != 0)
        {
            var text = (await output + "\n" + await errors).Trim();
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {text[Math.Max(0, text.Length - 2000)..]}");
        }
    }

    /// <summary>An absolute path that exists, or the first match on PATH.</summary>
    public static string? Find(string executable)
    {
        if (Path.IsPathRooted(executable)) return File.Exists(executable) ? executable : null;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, executable);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}

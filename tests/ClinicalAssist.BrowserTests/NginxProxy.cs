using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ClinicalAssist.TestSupport;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// Debian's nginx in front of several app instances on loopback, as a load balancer with sticky sessions: a request
/// goes to the instance its <c>ca_instance</c> cookie names (the affinity cookie a load balancer would set; the tests
/// set it per browser context), WebSockets pass through for the circuits, and the Host header is kept so the app's
/// circuit origin check sees the address the browser used.
/// </summary>
public sealed class NginxProxy : IAsyncDisposable
{
    public const string AffinityCookie = "ca_instance";

    private readonly Process _process;
    private readonly string _directory;

    private NginxProxy(Process process, string directory, Uri baseAddress)
    {
        _process = process;
        _directory = directory;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>Starts nginx with one upstream per instance: instance <c>i</c> is chosen by the cookie value <c>i</c>
    /// (0 when the cookie is missing).</summary>
    public static async Task<NginxProxy> StartAsync(IReadOnlyList<Uri> instances, CancellationToken cancellationToken)
    {
        // Debian's path: /usr/sbin may not be on a CI user's PATH.
        var nginx = await SystemPackages.EnsureAsync("/usr/sbin/nginx", "nginx", cancellationToken);
        var directory = Directory.CreateTempSubdirectory("clinicalassist-nginx-").FullName;
        var port = FreePort();
        var routes = string.Join("\n", instances.Select((u, i) => $"    \"{i}\" {u.Host}:{u.Port};"));
        var config = $$"""
            worker_processes 1;
            daemon off;
            pid {{directory}}/nginx.pid;
            error_log {{directory}}/error.log warn;
            events { worker_connections 512; }
            http {
              access_log off;
              client_body_temp_path {{directory}}/body;
              proxy_temp_path {{directory}}/proxy;
              fastcgi_temp_path {{directory}}/fastcgi;
              uwsgi_temp_path {{directory}}/uwsgi;
              scgi_temp_path {{directory}}/scgi;
              map $http_upgrade $connection_upgrade { default upgrade; '' close; }
              map $cookie_{{AffinityCookie}} $instance {
                default {{instances[0].Host}}:{{instances[0].Port}};
            {{routes}}
              }
              server {
                listen 127.0.0.1:{{port}};
                location / {
                  proxy_pass http://$instance;
                  proxy_http_version 1.1;
                  proxy_set_header Upgrade $http_upgrade;
                  proxy_set_header Connection $connection_upgrade;
                  proxy_set_header Host $http_host;
                  proxy_read_timeout 1h;
                  proxy_buffering off;
                }
              }
            }
            """;
        var file = Path.Combine(directory, "nginx.conf");
        await File.WriteAllTextAsync(file, config, cancellationToken);
        var start = new ProcessStartInfo(nginx) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "-p", directory, "-c", file }) start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start.");
        var proxy = new NginxProxy(process, directory, new Uri($"http://127.0.0.1:{port}/"));

        // Ready when it accepts connections (its own signal: the listening socket), or failed when it exited.
        var deadline = DateTime.UtcNow + Patience.Medium;
        while (true)
        {
            if (process.HasExited)
            {
                var log = File.Exists(Path.Combine(directory, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(directory, "error.log"), cancellationToken) : "";
                throw new InvalidOperationException($"nginx exited ({process.ExitCode}): {await process.StandardError.ReadToEndAsync(cancellationToken)} {log}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken);
                return proxy;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}

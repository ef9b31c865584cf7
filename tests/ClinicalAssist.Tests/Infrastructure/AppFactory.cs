using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Infrastructure;

/// <summary>The real app (Program.cs) on a SQLite file in a temporary folder, with extra settings. A request may
/// name the TCP peer it comes from with the <c>X-Test-Peer</c> header (TestServer has no sockets), so forwarded
/// headers can be tested as a proxy or a stranger would send them.</summary>
internal static class AppFactory
{
    public const string PeerHeader = "X-Test-Peer";

    public static WebApplicationFactory<Program> Create(string dataDirectory, IReadOnlyDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null, string database = "app.db")
    {
        return new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Production");
            b.UseSetting("ConnectionStrings:ClinicalAssist", $"Data Source={Path.Combine(dataDirectory, database)}");
            b.UseSetting("DemoUsers:Password", "Factory-test-pass-1!");
            foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            {
                b.UseSetting(key, value);
            }
            b.ConfigureTestServices(s =>
            {
                s.AddSingleton<IStartupFilter, TestPeerStartupFilter>();
                services?.Invoke(s);
            });
        });
    }

    private sealed class TestPeerStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((http, nextMiddleware) =>
            {
                if (http.Request.Headers.TryGetValue(PeerHeader, out var peer))
                {
                    http.Connection.RemoteIpAddress = IPAddress.Parse(peer.ToString());
                }
                return nextMiddleware(http);
            });
            next(app);
        };
    }

    public static void DeleteDirectory(string directory)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }
}

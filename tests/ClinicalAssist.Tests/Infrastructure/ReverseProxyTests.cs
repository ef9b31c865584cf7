using System.Net;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ClinicalAssist.Tests.Infrastructure;

/// <summary>Behind a reverse proxy: the client address (for the sign-in limit) and scheme come from X-Forwarded-*
/// only when the peer is a configured proxy; non-loopback hosts are redirected to HTTPS and get HSTS.</summary>
public sealed class ReverseProxyTests : IAsyncLifetime
{
    private const string Proxy = "10.0.0.5";
    private readonly string _data = Directory.CreateTempSubdirectory("clinicalassist-proxy-").FullName;
    private WebApplicationFactory<Program> _factory = null!;

    public ValueTask InitializeAsync()
    {
        _factory = AppFactory.Create(_data, new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownProxies:0"] = Proxy,
            ["ForwardedHeaders:KnownNetworks:0"] = "172.16.0.0/12",
            ["SignInRateLimit:PermitsPerMinute"] = "2",
        });
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        AppFactory.DeleteDirectory(_data);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string peer, string? forwardedFor = null,
        string? forwardedProto = null, string host = "localhost")
    {
        using var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Host = host;
        request.Headers.Add(AppFactory.PeerHeader, peer);
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        if (forwardedProto is not null) request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        if (method == HttpMethod.Post) request.Content = new FormUrlEncodedContent([new("Input.Email", "x@y.z"), new("Input.Password", "wrong")]);
        return await client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private async Task<List<HttpStatusCode>> SignInPostsAsync(int count, string peer, string? forwardedFor)
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < count; i++) statuses.Add((await SendAsync(HttpMethod.Post, "/Account/Login", peer, forwardedFor)).StatusCode);
        return statuses;
    }

    [Theory]
    [InlineData("https", true)]
    [InlineData(null, false)]
    public async Task The_antiforgery_cookie_is_Secure_over_HTTPS_behind_the_proxy_and_not_over_plain_HTTP(string? forwardedProto, bool secure)
    {
        using var response = await SendAsync(HttpMethod.Get, "/Account/Login", Proxy, "203.0.113.9", forwardedProto);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(".AspNetCore.Antiforgery", StringComparison.Ordinal));
        Assert.Equal(secure, cookie.Contains("; secure", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sign_in_limit_partitions_by_the_forwarded_client_address_when_the_peer_is_a_known_proxy()
    {
        var first = await SignInPostsAsync(3, Proxy, "203.0.113.1");
        Assert.Equal([false, false, true], first.Select(s => s == HttpStatusCode.TooManyRequests));

        // Another client behind the same proxy has its own allowance.
        var second = await SignInPostsAsync(2, Proxy, "203.0.113.2");
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, second);

        // A proxy in a known network, forwarding for a client chain: the last (nearest) address counts.
        var third = await SignInPostsAsync(2, "172.20.1.9", "198.51.100.77, 203.0.113.3");
        Assert.DoesNotContain(HttpStatusCode.TooManyRequests, third);
    }

    [Fact]
    public async Task A_stranger_cannot_choose_its_address_with_X_Forwarded_For()
    {
        // Not a configured proxy: every post counts against the stranger's own address whatever it claims.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++) statuses.AddRange(await SignInPostsAsync(1, "198.51.100.7", $"203.0.113.{50 + i}"));
        Assert.Equal([false, false, true], statuses.Select(s => s == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task Non_loopback_http_is_redirected_to_https_and_https_via_the_proxy_gets_HSTS()
    {
        var plain = await SendAsync(HttpMethod.Get, "/Account/Login", Proxy, host: "clinic.example.org");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, plain.StatusCode);
        Assert.Equal("https://clinic.example.org/Account/Login", plain.Headers.Location!.ToString());

        var viaTls = await SendAsync(HttpMethod.Get, "/Account/Login", Proxy, "203.0.113.1", "https", host: "clinic.example.org");
        Assert.Equal(HttpStatusCode.OK, viaTls.StatusCode);
        Assert.StartsWith("max-age=31536000", viaTls.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);

        // A stranger claiming HTTPS is not believed.
        var spoofed = await SendAsync(HttpMethod.Get, "/Account/Login", "198.51.100.7", "203.0.113.1", "https", host: "clinic.example.org");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, spoofed.StatusCode);

        // Platform health probes reach the container over HTTP by its address: never redirected.
        var probe = await SendAsync(HttpMethod.Get, "/health/live", "10.1.2.3", host: "10.1.2.4:8080");
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
    }

    [Fact]
    public async Task Loopback_hosts_are_served_over_http_without_redirect_or_HSTS()
    {
        foreach (var host in new[] { "localhost", "127.0.0.1:5263", "[::1]:5263" })
        {
            var response = await SendAsync(HttpMethod.Get, "/Account/Login", "127.0.0.1", host: host);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        }
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1:80", true)]
    [InlineData("[::1]", true)]
    [InlineData("clinic.example.org", false)]
    [InlineData("10.0.0.1", false)]
    public void Loopback_host_detection(string host, bool loopback) =>
        Assert.Equal(loopback, ReverseProxyExtensions.IsLoopbackHost(new HostString(host)));

    [Fact]
    public void Invalid_proxy_settings_stop_the_app_with_a_clear_message()
    {
        using var factory = AppFactory.Create(_data, new Dictionary<string, string?> { ["ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/99" }, database: "bad.db");
        var error = Assert.ThrowsAny<Exception>(() => factory.Services);
        Assert.Contains("not a network in CIDR notation", error.ToString());
    }
}

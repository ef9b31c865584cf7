using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.WebUtilities;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary><see cref="PooledReadFhirClient"/> must send what Firely's stock <see cref="FhirClient"/> sends and come
/// back with what it comes back with (the same result or the same exception type and status) — it only reads the
/// answer differently (one pooled buffer instead of bytes, a string and bytes again).</summary>
public sealed class PooledReadFhirClientTests
{
    private static readonly Uri Base = new("http://fhir.test/r4/");

    private const string Json = "application/fhir+json";

    public static TheoryData<string, HttpStatusCode, string?, string?> Answers => new()
    {
        { "a searchset", HttpStatusCode.OK, Searchset("""{"resourceType":"Observation","id":"1","status":"final","code":{"text":"Hb"},"valueQuantity":{"value":13.2,"unit":"g/dL"}}"""), Json },
        { "an unknown element", HttpStatusCode.OK, Searchset("""{"resourceType":"Observation","id":"1","bogus":1,"status":"final"}"""), Json },
        { "an unknown code", HttpStatusCode.OK, Searchset("""{"resourceType":"Observation","id":"1","status":"weird"}"""), Json },
        { "an invalid decimal", HttpStatusCode.OK, Searchset("""{"resourceType":"Observation","id":"1","valueQuantity":{"value":"ninety"}}"""), Json },
        { "a wrong JSON type", HttpStatusCode.OK, Searchset("""{"resourceType":"Observation","id":"1","status":5}"""), Json },
        { "an unknown resource type in an entry", HttpStatusCode.OK, Searchset("""{"resourceType":"Nonsense","id":"1"}"""), Json },
        { "truncated JSON", HttpStatusCode.OK, """{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Observation","id":"1" """, Json },
        { "HTML with 200", HttpStatusCode.OK, "<html><body>portal</body></html>", "text/html" },
        { "an empty 200", HttpStatusCode.OK, "", Json },
        { "a Patient where a Bundle belongs", HttpStatusCode.OK, """{"resourceType":"Patient","id":"p"}""", Json },
        { "an unknown resource type", HttpStatusCode.OK, """{"resourceType":"Nonsense","id":"p"}""", Json },
        { "plain application/json", HttpStatusCode.OK, Searchset(), "application/json" },
        { "no content type", HttpStatusCode.OK, Searchset(), null },
        { "404 with an OperationOutcome", HttpStatusCode.NotFound, """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"no such search"}]}""", Json },
        { "500 with HTML", HttpStatusCode.InternalServerError, "<html>boom</html>", "text/html" },
        { "401 without a body", HttpStatusCode.Unauthorized, null, null },
        { "403 with an OperationOutcome", HttpStatusCode.Forbidden, """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"forbidden"}]}""", Json },
        { "429 with an empty body", HttpStatusCode.TooManyRequests, "", "text/plain" },
        { "503 with malformed JSON", HttpStatusCode.ServiceUnavailable, "{\"resourceType\":", Json },
        { "204", HttpStatusCode.NoContent, null, null },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async System.Threading.Tasks.Task A_search_comes_back_as_the_stock_client_brings_it(string answer, HttpStatusCode status, string? body, string? contentType)
    {
        var stock = await Outcome(http => Stock(http).SearchAsync(new SearchParams().Add("subject", "Patient/1"), "Observation"), status, body, contentType);
        var pooled = await Outcome(http => Pooled(http).SearchAsync(new SearchParams().Add("subject", "Patient/1"), "Observation"), status, body, contentType);

        Assert.Equal(stock, pooled);
        Assert.False(string.IsNullOrEmpty(answer));
    }

    [Theory]
    [MemberData(nameof(Answers))]
    public async System.Threading.Tasks.Task A_get_comes_back_as_the_stock_client_brings_it(string answer, HttpStatusCode status, string? body, string? contentType)
    {
        var stock = await Outcome(http => Stock(http).GetAsync("Patient/1/$everything?_count=500"), status, body, contentType);
        var pooled = await Outcome(http => Pooled(http).GetAsync("Patient/1/$everything?_count=500"), status, body, contentType);

        Assert.Equal(stock, pooled);
        Assert.False(string.IsNullOrEmpty(answer));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_404_keeps_the_servers_OperationOutcome()
    {
        const string outcome = """{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"no such search"}]}""";
        var error = await Assert.ThrowsAsync<FhirOperationException>(() =>
            Pooled(new HttpClient(new Answering(HttpStatusCode.NotFound, outcome, Json))).SearchAsync(new SearchParams(), "Observation"));

        Assert.Equal(HttpStatusCode.NotFound, error.Status);
        Assert.Equal("no such search", Assert.Single(error.Outcome!.Issue).Diagnostics);
    }

    [Fact]
    public async System.Threading.Tasks.Task Every_Synthea_sample_reads_as_the_stock_client_reads_it()
    {
        var serializer = new FhirJsonSerializer();
        var files = Directory.GetFiles(SyntheaDirectory(), "*.json");
        Assert.Equal(41, files.Length);
        foreach (var file in files)
        {
            // Served without Content-Length and in small chunks: the pooled buffer has to grow.
            var bytes = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
            var stock = await Stock(new HttpClient(new Answering(HttpStatusCode.OK, bytes, Json, chunked: true))).GetAsync("Patient/x/$everything");
            var pooled = await Pooled(new HttpClient(new Answering(HttpStatusCode.OK, bytes, Json, chunked: true))).GetAsync("Patient/x/$everything");

            Assert.NotNull(pooled);
            Assert.Equal(serializer.SerializeToString(stock!), serializer.SerializeToString(pooled));
        }
    }

    public static TheoryData<string, SearchParams> Searches()
    {
        var window = new SearchParams().Add("subject", "Patient/abc").LimitTo(500).Add("date", "ge2020-01-01");
        var slice = new SearchParams().Add("patient", "abc").LimitTo(500).Add("date", "ge2020-01-01").Add("date", "lt2021-06-30").Add("date:missing", "false");
        var includes = new SearchParams().Add("subject", "Patient/a b&c").LimitTo(20);
        includes.Include("MedicationRequest:medication");
        return new TheoryData<string, SearchParams>
        {
            { "Observation", window },
            { "Observation", slice },
            { "MedicationRequest", includes },
            { "Medication", new SearchParams().Add("_id", "m1,m2,m 3").LimitTo(3) },
            { "Patient", new SearchParams().Add("name", "O'Brien, Zoë").LimitTo(20) },
            { "Encounter", new SearchParams().Add("subject", "Patient/1").Add("_offset", "500") },
        };
    }

    [Theory]
    [MemberData(nameof(Searches))]
    public async System.Threading.Tasks.Task A_search_sends_the_stock_clients_request(string type, SearchParams query)
    {
        var stock = new Answering(HttpStatusCode.OK, Searchset(), Json);
        var pooled = new Answering(HttpStatusCode.OK, Searchset(), Json);
        await Stock(new HttpClient(stock)).SearchAsync(query, type);
        await Pooled(new HttpClient(pooled)).SearchAsync(query, type);

        Assert.Equal(stock.Requests.Single().Uri.AbsoluteUri, pooled.Requests.Single().Uri.AbsoluteUri);
        Assert.Equal(stock.Requests.Single().Headers, pooled.Requests.Single().Headers);
    }

    [Theory]
    [InlineData("http://fhir.test/r4/Observation?_getpages=abc&_getpagesoffset=500&_count=500")]
    [InlineData("Observation?page=2&ct=a%2Bb")]
    [InlineData("Patient/1/$everything?_count=500&_type=Observation,Condition&start=2020-01-01")]
    public async System.Threading.Tasks.Task Next_links_and_gets_go_where_the_stock_client_goes(string link)
    {
        var stock = new Answering(HttpStatusCode.OK, Searchset(), Json);
        var pooled = new Answering(HttpStatusCode.OK, Searchset(), Json);
        var page = new Bundle { Type = Bundle.BundleType.Searchset, NextLink = new Uri(link, UriKind.RelativeOrAbsolute) };
        await Stock(new HttpClient(stock)).ContinueAsync(page);
        await Pooled(new HttpClient(pooled)).ContinueAsync(page);
        await Stock(new HttpClient(stock)).GetAsync(link);
        await Pooled(new HttpClient(pooled)).GetAsync(link);

        // The server sees the same path and the same decoded parameters (the stock client re-escapes a comma as %2C).
        Assert.Equal(2, pooled.Requests.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(stock.Requests[i].Uri.GetLeftPart(UriPartial.Path), pooled.Requests[i].Uri.GetLeftPart(UriPartial.Path));
            Assert.Equal(Decoded(stock.Requests[i].Uri), Decoded(pooled.Requests[i].Uri));
            Assert.Equal(stock.Requests[i].Headers, pooled.Requests[i].Headers);
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task Without_a_link_there_is_no_request_and_no_page()
    {
        var handler = new Answering(HttpStatusCode.OK, Searchset(), Json);
        Assert.Null(await Pooled(new HttpClient(handler)).ContinueAsync(new Bundle { Type = Bundle.BundleType.Searchset }));
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_root_relative_next_link_resolves_against_the_servers_origin()
    {
        // RFC 3986; the stock client appends it to the base path (http://fhir.test/r4/r4/Observation...).
        var handler = new Answering(HttpStatusCode.OK, Searchset(), Json);
        await Pooled(new HttpClient(handler)).ContinueAsync(new Bundle { NextLink = new Uri("/r4/Observation?page=2", UriKind.Relative) });

        Assert.Equal("http://fhir.test/r4/Observation?page=2", handler.Requests.Single().Uri.AbsoluteUri);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_body_that_stops_arriving_ends_in_a_timeout_and_a_caller_cancel_is_a_cancel()
    {
        var stalled = new StallingHandler();
        var client = new PooledReadFhirClient(Base, new HttpClient(stalled), Settings(), TimeSpan.FromMilliseconds(300));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        // Without the body timeout this would end in the caller's cancel after 20 s instead.
        using var backstop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await Assert.ThrowsAsync<TimeoutException>(() => client.SearchAsync(new SearchParams(), "Observation", backstop.Token));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));

        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var slow = new PooledReadFhirClient(Base, new HttpClient(new StallingHandler()), Settings(), TimeSpan.FromMinutes(5));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slow.SearchAsync(new SearchParams(), "Observation", cancel.Token));
    }

    private static string Searchset(params string[] resources) =>
        """{"resourceType":"Bundle","type":"searchset","entry":[""" + string.Join(',', resources.Select(r => """{"resource":""" + r + "}")) + "]}";

    private static FhirClientSettings Settings() => new()
    {
        PreferredFormat = ResourceFormat.Json,
        VerifyFhirVersion = false,
        SerializationEngine = ServerRecordSource.ReadEngine,
    };

    private static FhirClient Stock(HttpClient http) => new(Base, http, Settings());

    private static PooledReadFhirClient Pooled(HttpClient http) => new(Base, http, Settings(), TimeSpan.FromSeconds(30));

    private static string Decoded(Uri uri) =>
        string.Join('&', QueryHelpers.ParseQuery(uri.Query).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + string.Join('|', p.Value.ToArray())));

    /// <summary>What came back: the resource as JSON, null, or the exception's type and status.</summary>
    private static async Task<string> Outcome(Func<HttpClient, Task<Bundle?>> call, HttpStatusCode status, string? body, string? contentType) =>
        await Outcome(async http => (Resource?)await call(http), status, body, contentType);

    private static async Task<string> Outcome(Func<HttpClient, Task<Resource?>> call, HttpStatusCode status, string? body, string? contentType)
    {
        try
        {
            var resource = await call(new HttpClient(new Answering(status, body, contentType)));
            return resource is null ? "null" : new FhirJsonSerializer().SerializeToString(resource);
        }
        catch (Exception ex)
        {
            return $"{ex.GetType().Name} {(ex as FhirOperationException)?.Status} outcome={(ex as FhirOperationException)?.Outcome is not null}";
        }
    }

    private sealed record Sent(Uri Uri, string Headers);

    /// <summary>Answers every request with the same status, body and content type; records what was asked.</summary>
    private sealed class Answering(HttpStatusCode status, byte[]? body, string? contentType, bool chunked = false) : HttpMessageHandler
    {
        public Answering(HttpStatusCode status, string? body, string? contentType)
            : this(status, body is null ? null : Encoding.UTF8.GetBytes(body), contentType)
        {
        }

        public List<Sent> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(new Sent(request.RequestUri!, string.Join("; ", request.Headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => h.Key + "=" + string.Join(",", h.Value)))));
            var response = new HttpResponseMessage(status) { RequestMessage = request };
            if (body is not null)
            {
                response.Content = chunked ? new StreamContent(new BodyStream(body)) : new ByteArrayContent(body);
                response.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
            }

            return System.Threading.Tasks.Task.FromResult(response);
        }
    }

    /// <summary>A non-seekable body without a length: at most 4,000 bytes per read; with <paramref name="stall"/>,
    /// the first read and then nothing until cancelled.</summary>
    private sealed class BodyStream(byte[] data, bool stall = false) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Next(buffer.AsSpan(offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (stall && _position > 0)
            {
                await System.Threading.Tasks.Task.Delay(Timeout.Infinite, cancellationToken);
            }

            return Next(buffer.Span);
        }

        private int Next(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(buffer.Length, 4000), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Sends the headers and the start of a body, then nothing more.</summary>
    private sealed class StallingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            System.Threading.Tasks.Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StreamContent(new BodyStream(Encoding.UTF8.GetBytes("{\"resourceType\":\"Bundle\","), stall: true)) { Headers = { ContentType = MediaTypeHeaderValue.Parse(Json) } },
            });
    }
}

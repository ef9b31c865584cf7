using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>
/// Firely's <see cref="FhirClient"/> whose reads that bring a record's bulk — searches, next pages and plain GETs
/// such as <c>Patient/$everything</c> — parse the answer straight from a pooled UTF-8 buffer. Everything else
/// (reads, capability statement, create, update, transactions) is the stock client.
/// </summary>
/// <remarks>
/// <para>Why: the stock client keeps each answer three more times on the large-object heap (the body as bytes, as a
/// UTF-16 string, and as UTF-8 again for the parser). For a chart of 10,000 resources that is ≈ 35 MB of large
/// objects per build; they are only reclaimed by full (gen2) collections, and the large-object budget they exhaust
/// started one full background collection per build (docs/performance.md, P1). Here the body goes once into a buffer
/// rented from <see cref="ArrayPool{T}.Shared"/> and returned after the parse.</para>
/// <para>Same requests and same outcomes as the stock client (tests compare both over the same answers): the URL of a
/// search is built as Firely builds it, with the same Accept headers; an unsuccessful status throws
/// <see cref="FhirOperationException"/> with that status (and the server's OperationOutcome when it sent one); a
/// 2xx answer that is not readable FHIR JSON, or not a Bundle where a Bundle is expected, throws it with the 2xx
/// status; an empty 200 answer is null; recoverable problems in a resource (an unknown element, an unknown code)
/// are tolerated by the same parser settings the product uses everywhere (<see cref="FhirBundleReader.ReadOptions"/>).
/// One difference on purpose: a root-relative next link (<c>/fhir/Observation?page=2</c>) is resolved against the
/// server's origin, as RFC 3986 says, where the stock client appends it to the base path.</para>
/// <para>The answer's body must arrive within <paramref name="bodyTimeout"/> once the headers are in (the
/// resilience handler's timeouts cover the wait for the headers).</para>
/// </remarks>
internal sealed class PooledReadFhirClient(Uri endpoint, HttpClient httpClient, FhirClientSettings settings, TimeSpan bodyTimeout)
    : FhirClient(endpoint, httpClient, settings)
{
    private readonly HttpClient _http = httpClient;

    private static readonly FhirJsonDeserializer Deserializer = new(FhirBundleReader.ReadOptions);

    private static readonly string UserAgent = "firely-sdk-client/" + typeof(BaseFhirClient).Assembly.GetName().Version?.ToString(3);

    /// <summary>Bodies above this are not pre-sized from Content-Length (the buffer grows as bytes come instead).</summary>
    private const int MaxPresize = 64 * 1024 * 1024;

    public override Task<Bundle?> SearchAsync(SearchParams q, string? resourceType = null, CancellationToken? ct = null)
    {
        ArgumentNullException.ThrowIfNull(q);
        return GetAsync<Bundle>(new Uri(Endpoint, (resourceType ?? "") + QueryString(q)), ct ?? CancellationToken.None);
    }

    public override Task<Bundle?> ContinueAsync(Bundle current, PageDirection direction = PageDirection.Next, CancellationToken? ct = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        var link = direction switch
        {
            PageDirection.First => current.FirstLink,
            PageDirection.Previous => current.PreviousLink,
            PageDirection.Last => current.LastLink,
            _ => current.NextLink,
        };
        return link is null
            ? System.Threading.Tasks.Task.FromResult<Bundle?>(null)
            : GetAsync<Bundle>(link.IsAbsoluteUri ? link : new Uri(Endpoint, link), ct ?? CancellationToken.None);
    }

    public override Task<Resource?> GetAsync(string url, CancellationToken? ct = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        var uri = new Uri(url, UriKind.RelativeOrAbsolute);
        return GetAsync<Resource>(uri.IsAbsoluteUri ? uri : new Uri(Endpoint, uri), ct ?? CancellationToken.None);
    }

    /// <summary>The query string of a search exactly as Firely writes it (every name and value escaped with
    /// <see cref="Uri.EscapeDataString(string)"/>, in <see cref="SearchParams.ToUriParamList"/> order).</summary>
    internal static string QueryString(SearchParams q)
    {
        var text = new StringBuilder();
        foreach (var (name, value) in q.ToUriParamList())
        {
            text.Append(text.Length == 0 ? '?' : '&').Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
        }

        return text.ToString();
    }

    private async Task<T?> GetAsync<T>(Uri url, CancellationToken cancellationToken) where T : Resource
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/fhir+json"));
        request.Headers.AcceptCharset.Add(new StringWithQualityHeaderValue("utf-8"));
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
        // The client's RequestHeaders are the HttpClient's default headers: HttpClient adds them itself.

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        using var body = await ReadBodyAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var status = response.StatusCode;
        if (!response.IsSuccessStatusCode)
        {
            throw Unsuccessful(status, body);
        }

        if (status != HttpStatusCode.OK)
        {
            throw new FhirOperationException($"Operation concluded successfully, but the return status {status} was unexpected", status);
        }

        if (body.Length == 0)
        {
            return null;
        }

        if (!IsJson(response.Content.Headers.ContentType) || Parse(body.Span) is not { } resource)
        {
            // As the stock client: the failure comes with an OperationOutcome that says what was wrong.
            const string unreadable = "The answer is not readable FHIR JSON.";
            throw new FhirOperationException($"Operation was unsuccessful, and returned status {status}. {unreadable}", status,
                OperationOutcome.ForMessage(unreadable, OperationOutcome.IssueType.Structure));
        }

        return resource as T
            ?? throw new FhirOperationException($"Operation GET expected a body of type {typeof(T).Name} but a {resource.TypeName} was returned.", status);
    }

    /// <summary>The resource, or null when the JSON is malformed or has problems the product's parser settings do
    /// not tolerate.</summary>
    private static Resource? Parse(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            return Deserializer.TryDeserializeResource(ref reader, out var resource, out _) ? resource : null;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or DeserializationFailedException)
        {
            return null;
        }
    }

    private static FhirOperationException Unsuccessful(HttpStatusCode status, PooledBody body)
    {
        var kind = (int)status is >= 400 and < 500 ? "because of a client error" : "and returned status";
        var outcome = body.Length > 0 ? Parse(body.Span) as OperationOutcome : null;
        return outcome is not null
            ? new FhirOperationException($"Operation was unsuccessful {kind} ({status}).", status, outcome)
            : new FhirOperationException($"Operation was unsuccessful {kind} ({status}).", status);
    }

    private static bool IsJson(MediaTypeHeaderValue? contentType) =>
        contentType?.MediaType is { } type
        && (type.EndsWith("/json", StringComparison.OrdinalIgnoreCase) || type.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads the whole body into a rented buffer (pre-sized from Content-Length when it is sane).</summary>
    private async Task<PooledBody> ReadBodyAsync(HttpContent content, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(bodyTimeout);
        var length = content.Headers.ContentLength is { } declared and > 0 and <= MaxPresize ? (int)declared + 1 : 16 * 1024;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        var count = 0;
        try
        {
            var stream = await content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    if (count == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(checked(buffer.Length * 2));
                        buffer.AsSpan(0, count).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(count), timeout.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    count += read;
                }
            }

            return new PooledBody(buffer, count);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new TimeoutException($"The FHIR server's answer did not arrive within {bodyTimeout.TotalSeconds:0} s.");
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>A body in a rented buffer; returned to the pool on dispose.</summary>
    private sealed class PooledBody(byte[] buffer, int length) : IDisposable
    {
        private byte[]? _buffer = buffer;

        public int Length { get; } = length;

        public ReadOnlySpan<byte> Span => (_buffer ?? throw new ObjectDisposedException(nameof(PooledBody))).AsSpan(0, Length);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _buffer, null) is { } rented)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

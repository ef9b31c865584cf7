using System.Collections.Concurrent;
using System.Text;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Task = System.Threading.Tasks.Task;

namespace ClinicalAssist.Tests.WriteBack;

/// <summary>
/// A loopback FHIR server that stores transaction entries (honouring ifNoneExist on identifier) and answers
/// identifier / target searches. <see cref="FailNext"/> answers the next transactions with a status without storing;
/// <see cref="CommitThenFail"/> stores the next transaction and then answers 500 (the response is lost).
/// </summary>
internal sealed class FakeTransactionServer : IAsyncDisposable
{
    private static readonly FhirJsonSerializer Serializer = new();
    private static readonly System.Text.Json.JsonSerializerOptions Json = new System.Text.Json.JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector);
    private readonly WebApplication _app;
    private int _nextId;

    private FakeTransactionServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;
    public ConcurrentDictionary<string, Resource> Stored { get; } = new();
    public ConcurrentQueue<Bundle> Transactions { get; } = new();
    public ConcurrentQueue<int> FailNext { get; } = new();
    public bool CommitThenFail { get; set; }

    public IEnumerable<T> All<T>() where T : Resource => Stored.Values.OfType<T>();

    public static async Task<FakeTransactionServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeTransactionServer(app);

        app.MapPost("/fhir", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
            var bundle = System.Text.Json.JsonSerializer.Deserialize<Bundle>(await reader.ReadToEndAsync(), Json)!;
            server.Transactions.Enqueue(bundle);
            if (server.FailNext.TryDequeue(out var status))
            {
                return Results.Text(Serializer.SerializeToString(new OperationOutcome { Issue = [new() { Severity = OperationOutcome.IssueSeverity.Error, Code = OperationOutcome.IssueType.Exception, Diagnostics = "injected failure" }] }), "application/fhir+json", statusCode: status);
            }
            var response = server.Apply(bundle);
            if (server.CommitThenFail)
            {
                server.CommitThenFail = false;
                return Results.Text("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"fatal\",\"code\":\"exception\"}]}", "application/fhir+json", statusCode: 500);
            }
            return Results.Text(Serializer.SerializeToString(response), "application/fhir+json");
        });

        app.MapGet("/fhir/{type}", (string type, HttpContext http) =>
        {
            var matches = server.Stored.Values.Where(r => r.TypeName == type).ToList();
            if (http.Request.Query["identifier"].ToString() is { Length: > 0 } identifier)
            {
                matches = matches.Where(r => HasIdentifier(r, identifier)).ToList();
            }
            if (http.Request.Query["target"].ToString() is { Length: > 0 } target)
            {
                matches = matches.OfType<Provenance>().Where(p => p.Target.Any(t => t.Reference == target)).Cast<Resource>().ToList();
            }
            var result = new Bundle { Type = Bundle.BundleType.Searchset, Total = matches.Count };
            result.Entry.AddRange(matches.Select(m => new Bundle.EntryComponent { Resource = m, Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match } }));
            return Results.Text(Serializer.SerializeToString(result), "application/fhir+json");
        });

        await app.StartAsync(Xunit.TestContext.Current.CancellationToken);
        server.BaseUrl = new Uri(app.Urls.First().TrimEnd('/') + "/fhir");
        return server;
    }

    private Bundle Apply(Bundle transaction)
    {
        var response = new Bundle { Type = Bundle.BundleType.TransactionResponse };
        var resolved = new Dictionary<string, string>();
        var created = new List<Resource>();
        foreach (var entry in transaction.Entry)
        {
            var condition = entry.Request!.IfNoneExist;
            var fullUrl = entry.FullUrl!;
            var existing = condition is null ? null : Stored.Values.FirstOrDefault(r =>
                r.TypeName == entry.Resource!.TypeName && HasIdentifier(r, Uri.UnescapeDataString(condition["identifier=".Length..])));
            if (existing is not null)
            {
                resolved[fullUrl] = $"{existing.TypeName}/{existing.Id}";
                response.Entry.Add(new Bundle.EntryComponent { Response = new Bundle.ResponseComponent { Status = "200 OK", Location = $"{existing.TypeName}/{existing.Id}/_history/1" } });
                continue;
            }
            var resource = (Resource)entry.Resource!.DeepCopy();
            resource.Id = Interlocked.Increment(ref _nextId).ToString(System.Globalization.CultureInfo.InvariantCulture);
            resource.Meta = new Meta { VersionId = "1", Security = resource.Meta?.Security ?? [] };
            resolved[fullUrl] = $"{resource.TypeName}/{resource.Id}";
            created.Add(resource);
            response.Entry.Add(new Bundle.EntryComponent { Response = new Bundle.ResponseComponent { Status = "201 Created", Location = $"{resource.TypeName}/{resource.Id}/_history/1" } });
        }
        foreach (var resource in created)
        {
            // Rewrite urn:uuid references to the ids just assigned (as a server does for a transaction).
            var json = System.Text.Json.JsonSerializer.Serialize(resource, resource.GetType(), Json);
            foreach (var (fullUrl, actual) in resolved) json = json.Replace("\"" + fullUrl + "\"", "\"" + actual + "\"", StringComparison.Ordinal);
            var rewritten = (Resource)System.Text.Json.JsonSerializer.Deserialize(json, resource.GetType(), Json)!;
            Stored[$"{rewritten.TypeName}/{rewritten.Id}"] = rewritten;
        }
        return response;
    }

    private static bool HasIdentifier(Resource resource, string token)
    {
        var parts = token.Split('|', 2);
        var identifiers = resource switch
        {
            Composition c => c.Identifier is null ? [] : new List<Identifier> { c.Identifier },
            DocumentReference d => d.Identifier,
            Device d => d.Identifier,
            Practitioner p => p.Identifier,
            _ => [],
        };
        return identifiers.Any(i => i.System == parts[0] && i.Value == parts[^1]);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

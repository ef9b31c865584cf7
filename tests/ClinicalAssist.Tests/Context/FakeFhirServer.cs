using System.Collections.Concurrent;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClinicalAssist.Tests.Context;

/// <summary>A tiny FHIR R4 server on loopback: serves one patient, pages searches with "next" links,
/// answers 500 for the resource types in <c>failingTypes</c> and stalls for those in <c>slowTypes</c>.</summary>
internal sealed class FakeFhirServer : IAsyncDisposable
{
    private static readonly FhirJsonSerializer Serializer = new();
    private readonly WebApplication _app;

    private FakeFhirServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public ConcurrentQueue<string> Requests { get; } = new();

    public ConcurrentQueue<string?> Authorizations { get; } = new();

    public static async Task<FakeFhirServer> StartAsync(Patient patient, IReadOnlyList<Resource> resources,
        IReadOnlySet<string>? failingTypes = null, IReadOnlySet<string>? slowTypes = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeFhirServer? server = null;

        app.MapGet("/fhir/Patient/{id}", (string id, HttpContext http) =>
        {
            server!.Record(http);
            return id == patient.Id ? Fhir(patient) : Fhir(NotFound(), StatusCodes.Status404NotFound);
        });

        app.MapGet("/fhir/{type}", async (string type, HttpContext http) =>
        {
            server!.Record(http);
            var query = http.Request.Query;
            if (failingTypes?.Contains(type) == true)
            {
                return Fhir(new OperationOutcome { Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Fatal, Code = OperationOutcome.IssueType.Exception }] }, 500);
            }

            if (slowTypes?.Contains(type) == true)
            {
                await System.Threading.Tasks.Task.Delay(TimeSpan.FromSeconds(10), http.RequestAborted);
            }

            IEnumerable<Resource> matches = type == "Patient"
                ? (string?)query["name"] is { } name && patient.Name.Any(n => (n.Family ?? "").Contains(name, StringComparison.OrdinalIgnoreCase))
                  || (string?)query["identifier"] is { } identifier && patient.Identifier.Any(i => i.Value == identifier)
                  || (query["name"].Count == 0 && query["identifier"].Count == 0)
                    ? [patient]
                    : []
                : resources.Where(r => r.TypeName == type && (string?)query["patient"] is { } p && p.Split(',').Contains(patient.Id));
            if (type == "Encounter" && (string?)query["status"] is { } statuses)
            {
                matches = matches.OfType<Encounter>().Where(e => statuses.Split(',').Contains(e.Status?.GetLiteral()));
            }

            var all = matches.ToList();
            var pageSize = int.TryParse(query["_count"], out var c) ? c : 10;
            var pageIndex = int.TryParse(query["page"], out var p2) ? p2 : 0;
            var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = all.Count, Id = Guid.NewGuid().ToString() };
            foreach (var resource in all.Skip(pageIndex * pageSize).Take(pageSize))
            {
                bundle.Entry.Add(new Bundle.EntryComponent
                {
                    FullUrl = $"{server.BaseUrl}{resource.TypeName}/{resource.Id}",
                    Resource = resource,
                    Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
                });
            }

            if ((string?)query["_include"] == "MedicationRequest:medication")
            {
                foreach (var medication in resources.OfType<Medication>())
                {
                    bundle.Entry.Add(new Bundle.EntryComponent { Resource = medication, Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Include } });
                }
            }

            if ((pageIndex + 1) * pageSize < all.Count)
            {
                var next = QueryString.Create(query.Where(kv => kv.Key != "page").Append(new("page", (pageIndex + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))));
                bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = $"{server.BaseUrl}{type}{next}" });
            }

            return Fhir(bundle);
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server = new FakeFhirServer(app, new Uri(address.TrimEnd('/') + "/fhir/"));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private void Record(HttpContext http)
    {
        Requests.Enqueue(http.Request.Path + http.Request.QueryString);
        Authorizations.Enqueue(http.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null);
    }

    private static IResult Fhir(Resource resource, int status = 200) =>
        Results.Text(Serializer.SerializeToString(resource), "application/fhir+json", statusCode: status);

    private static OperationOutcome NotFound() => new()
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = OperationOutcome.IssueType.NotFound }],
    };
}

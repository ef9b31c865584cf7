using System.Collections.Concurrent;
using System.Text;
using ClinicalAssist.Web.Features.Context;
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

    /// <summary>Optional per-request fault: given the resource type (or "Patient", "metadata", "everything") and the
    /// 0-based page index, returns the answer to send instead of the real one, or null to answer normally.</summary>
    public Func<string, int, IResult?>? Fault { get; set; }

    /// <summary>When set, the server publishes a CapabilityStatement offering Patient/$everything and serves it.</summary>
    public bool OffersEverything { get; set; }

    /// <summary>Answers searches as if the <c>date</c> parameter (and <c>date:missing</c>) did not exist.</summary>
    public bool IgnoresDate { get; set; }

    /// <summary>A fault decided on the whole query of a type search (e.g. one date slice).</summary>
    public Func<string, IQueryCollection, IResult?>? QueryFault { get; set; }

    /// <summary>Delay added to every type search (to make overlapping requests observable).</summary>
    public TimeSpan SearchDelay { get; set; }

    private readonly ConcurrentDictionary<string, int> _inFlight = new();
    private readonly ConcurrentDictionary<string, int> _peakInFlight = new();

    /// <summary>The most searches of a type that were being answered at the same time.</summary>
    public int PeakInFlight(string type) => _peakInFlight.GetValueOrDefault(type);

    /// <summary>When set, the server publishes .well-known/smart-configuration pointing at /token, answered by this.</summary>
    public Func<IFormCollection, IResult>? TokenEndpoint { get; set; }

    public Uri TokenUrl => new(BaseUrl, "../token");

    /// <summary>When set, pages hold this many entries whatever _count asked for.</summary>
    public int? ForcedPageSize { get; set; }

    /// <summary>When set, search next links carry an opaque token (as continuation-token servers do) instead of a
    /// readable page number.</summary>
    public bool OpaqueLinks { get; set; }

    /// <summary>When set, the page parameter of a search next link moves to the front of the query on every other page
    /// (same pages, links a client cannot predict from the first one).</summary>
    public bool ShuffledLinks { get; set; }

    public static async Task<FakeFhirServer> StartAsync(Patient patient, IReadOnlyList<Resource> resources,
        IReadOnlySet<string>? failingTypes = null, IReadOnlySet<string>? slowTypes = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeFhirServer? server = null;

        app.MapGet("/fhir/.well-known/smart-configuration", () =>
            server!.TokenEndpoint is null
                ? Results.NotFound()
                : Results.Json(new Dictionary<string, object>
                {
                    ["token_endpoint"] = server.TokenUrl.ToString(),
                    ["token_endpoint_auth_methods_supported"] = new[] { "private_key_jwt" },
                    ["token_endpoint_auth_signing_alg_values_supported"] = new[] { "RS384", "ES384" },
                    ["grant_types_supported"] = new[] { "client_credentials" },
                }));

        app.MapPost("/token", async (HttpContext http) =>
        {
            var form = await http.Request.ReadFormAsync();
            return server!.TokenEndpoint?.Invoke(form) ?? Results.NotFound();
        });

        app.MapGet("/fhir/metadata", (HttpContext http) =>
        {
            server!.Record(http);
            if (server.Fault?.Invoke("metadata", 0) is { } fault)
            {
                return fault;
            }

            if (!server.OffersEverything)
            {
                return Fhir(NotFound(), StatusCodes.Status404NotFound);
            }

            var statement = new CapabilityStatement
            {
                Status = PublicationStatus.Active,
                Kind = CapabilityStatementKind.Instance,
                FhirVersion = FHIRVersion.N4_0_1,
                Format = ["json"],
                Rest =
                [
                    new CapabilityStatement.RestComponent
                    {
                        Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                        Resource =
                        [
                            new CapabilityStatement.ResourceComponent
                            {
                                Type = "Patient",
                                Operation = [new CapabilityStatement.OperationComponent { Name = "everything", Definition = "http://hl7.org/fhir/OperationDefinition/Patient-everything" }],
                            },
                            .. new[] { "Encounter", "Condition", "Observation", "MedicationRequest", "MedicationStatement", "Medication", "AllergyIntolerance",
                                "Procedure", "DiagnosticReport", "DocumentReference", "Immunization", "CarePlan", "Goal", "Binary", "Location" }
                                .Select(t => new CapabilityStatement.ResourceComponent { Type = t }),
                        ],
                    },
                ],
            };
            return Fhir(statement);
        });

        app.MapGet("/fhir/Patient/{id}/$everything", (string id, HttpContext http) =>
        {
            server!.Record(http);
            var pageIndex = int.TryParse(http.Request.Query["page"], out var p) ? p : 0;
            if (server.Fault?.Invoke("everything", pageIndex) is { } fault)
            {
                return fault;
            }

            return server.Page(http, "Patient/" + id + "/$everything", [patient, .. resources], pageIndex);
        });

        app.MapGet("/fhir/Patient/{id}", (string id, HttpContext http) =>
        {
            server!.Record(http);
            if (server.Fault?.Invoke("Patient", 0) is { } fault)
            {
                return fault;
            }

            return id == patient.Id ? Fhir(patient) : Fhir(NotFound(), StatusCodes.Status404NotFound);
        });

        app.MapGet("/fhir/Binary/{id}", (string id, HttpContext http) =>
        {
            server!.Record(http);
            return resources.OfType<Binary>().FirstOrDefault(b => b.Id == id) is { } binary ? Fhir(binary) : Fhir(NotFound(), StatusCodes.Status404NotFound);
        });

        app.MapGet("/fhir/{type}/{id}", (string type, string id, HttpContext http) =>
        {
            server!.Record(http);
            if (server.Fault?.Invoke(type + "/read", 0) is { } fault)
            {
                return fault;
            }

            return resources.FirstOrDefault(r => r.TypeName == type && r.Id == id) is { } found ? Fhir(found) : Fhir(NotFound(), StatusCodes.Status404NotFound);
        });

        app.MapGet("/fhir/{type}", async (string type, HttpContext http) =>
        {
            server!.Record(http);
            var query = http.Request.Query;
            if ((string?)query["_page_token"] is { } token)
            {
                query = new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Encoding.UTF8.GetString(Convert.FromBase64String(token))));
            }

            var pageIndex = int.TryParse(query["page"], out var p2) ? p2 : 0;
            if (server.Fault?.Invoke(type, pageIndex) is { } fault)
            {
                return fault;
            }

            if (server.QueryFault?.Invoke(type, query) is { } queryFault)
            {
                return queryFault;
            }

            var inFlight = server._inFlight.AddOrUpdate(type, 1, (_, n) => n + 1);
            server._peakInFlight.AddOrUpdate(type, inFlight, (_, n) => Math.Max(n, inFlight));
            try
            {
                if (server.SearchDelay > TimeSpan.Zero)
                {
                    await System.Threading.Tasks.Task.Delay(server.SearchDelay, http.RequestAborted);
                }
            }
            finally
            {
                server._inFlight.AddOrUpdate(type, 0, (_, n) => n - 1);
            }

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
                : type == "Encounter" && query["patient"].Count == 0 && query["subject"].Count == 0
                    ? resources.OfType<Encounter>().Where(e => (string?)query["location"] is not { } location || e.Location.Any(l => l.Location?.Reference == location))
                : (string?)query["_id"] is { } ids
                    ? resources.Where(r => r.TypeName == type && ids.Split(',').Contains(r.Id))
                    : resources.Where(r => r.TypeName == type && IsForPatient(query, patient.Id!));
            if (!server.IgnoresDate)
            {
                matches = FilterByDate(query, matches);
            }

            if ((string?)query["category"] is { } categories)
            {
                var wanted = categories.Split(',');
                matches = matches.Where(r => r is not Observation o || o.Category.SelectMany(c => c.Coding).Any(c => wanted.Contains(c.Code)));
            }

            if (type == "Encounter" && (string?)query["status"] is { } statuses)
            {
                matches = matches.OfType<Encounter>().Where(e => statuses.Split(',').Contains(e.Status?.GetLiteral()));
            }

            var all = matches.ToList();
            var pageSize = server.ForcedPageSize ?? (int.TryParse(query["_count"], out var c) ? c : 10);
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
                var pageParameter = new KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>("page", (pageIndex + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
                var rest = query.Where(kv => kv.Key != "page").ToList();
                var next = QueryString.Create(server.ShuffledLinks && pageIndex % 2 == 1 ? rest.Prepend(pageParameter) : rest.Append(pageParameter));
                var url = server.OpaqueLinks
                    ? $"{server.BaseUrl}{type}?_page_token={Uri.EscapeDataString(Convert.ToBase64String(Encoding.UTF8.GetBytes(next.Value!)))}"
                    : $"{server.BaseUrl}{type}{next}";
                bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = url });
            }

            return Fhir(bundle);
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server = new FakeFhirServer(app, new Uri(address.TrimEnd('/') + "/fhir/"));
        return server;
    }

    /// <summary>The date search parameter: <c>date=[ge|gt|le|lt|eq]yyyy-MM-dd</c> (repeatable, AND) on the element
    /// the client's <c>DateElement</c> names (a Period by its start), and <c>date:missing=true|false</c>.</summary>
    internal static IEnumerable<Resource> FilterByDate(IQueryCollection query, IEnumerable<Resource> matches)
    {
        var missing = (string?)query["date:missing"];
        var values = query["date"].OfType<string>().ToList();
        if (missing is null && values.Count == 0)
        {
            return matches;
        }

        return matches.Where(r =>
        {
            var date = FhirValues.ToDateTimeOffset(ContextSections.DateElement(r));
            if (missing is not null && (date is null) != (missing == "true"))
            {
                return false;
            }

            foreach (var value in values)
            {
                var prefix = value.Length > 2 && char.IsLetter(value[0]) ? value[..2] : "eq";
                var day = DateTimeOffset.Parse(prefix == "eq" && !char.IsLetter(value[0]) ? value : value[2..], System.Globalization.CultureInfo.InvariantCulture,
                    System.Globalization.DateTimeStyles.AssumeUniversal);
                var ok = date is { } d && prefix switch
                {
                    "ge" => d >= day,
                    "gt" => d >= day.AddDays(1),
                    "lt" => d < day,
                    "le" => d < day.AddDays(1),
                    _ => d >= day && d < day.AddDays(1),
                };
                if (!ok)
                {
                    return false;
                }
            }

            return true;
        });
    }

    private static bool IsForPatient(IQueryCollection query, string patientId) =>
        ((string?)query["patient"])?.Split(',').Any(p => p == patientId || p == "Patient/" + patientId) == true
        || ((string?)query["subject"])?.Split(',').Any(p => p == "Patient/" + patientId) == true;

    /// <summary>A searchset page of <paramref name="all"/> with a next link when more remain.</summary>
    private IResult Page(HttpContext http, string path, IReadOnlyList<Resource> all, int pageIndex)
    {
        var query = http.Request.Query;
        var pageSize = ForcedPageSize ?? (int.TryParse(query["_count"], out var c) ? c : 10);
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = all.Count, Id = Guid.NewGuid().ToString() };
        foreach (var resource in all.Skip(pageIndex * pageSize).Take(pageSize))
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = $"{BaseUrl}{resource.TypeName}/{resource.Id}",
                Resource = resource,
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match },
            });
        }

        if ((pageIndex + 1) * pageSize < all.Count)
        {
            var next = QueryString.Create(query.Where(kv => kv.Key != "page").Append(new("page", (pageIndex + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))));
            bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = $"{BaseUrl}{path}{next}" });
        }

        return Fhir(bundle);
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

    public static IResult Fhir(Resource resource, int status = 200) =>
        Results.Text(Serializer.SerializeToString(resource), "application/fhir+json", statusCode: status);

    public static OperationOutcome NotFound() => new()
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = OperationOutcome.IssueType.NotFound }],
    };
}

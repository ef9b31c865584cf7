using System.Collections.Concurrent;
using ClinicalAssist.TestSupport;
using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>The Server source is one singleton shared by every chart load: two loads of different patients at the same
/// time must each get their own record, their own progress and their own strategy. The server offers $everything; it
/// answers patient A's only once patient B's load has fallen back to section searches (B's $everything fails), so the
/// two strategies overlap in time — a strategy kept on the source would make B report every section twice, or A none.</summary>
public sealed class ServerConcurrentLoadsTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async System.Threading.Tasks.Task Concurrent_loads_of_different_patients_never_mix_progress_or_strategy()
    {
        var (patientA, resourcesA) = DemoLikePatient("pa");
        var (patientB, resourcesB) = DemoLikePatient("pb");
        resourcesB.RemoveAll(r => r is Condition); // B has no problems, A has three
        foreach (var resource in resourcesB)
        {
            resource.Id += "-of-b";
        }

        var bSearching = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TwoPatientServer.StartAsync([(patientA, resourcesA), (patientB, resourcesB)], async (id, http) =>
        {
            if (id == "pb")
            {
                return FakeFhirServer.Fhir(FakeFhirServer.NotFound(), 500);
            }

            await bSearching.Task.WaitAsync(Patience.Medium, http.RequestAborted); // A's answer comes while B searches
            return null;
        }, onSearch: id => { if (id == "pb") bSearching.TrySetResult(); });
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, pageSize: 100, maxRetries: 0);
        var source = host.Services.GetRequiredService<IPatientRecordSource>();
        var progressA = new Collect();
        var progressB = new Collect();

        var loadA = source.GetRecordAsync("pa", progressA, Ct);
        var loadB = source.GetRecordAsync("pb", progressB, Ct);
        var (recordA, recordB) = (await loadA, await loadB);

        Assert.NotNull(recordA);
        Assert.NotNull(recordB);
        Assert.Equal(("pa", "everything"), (recordA.Patient.Id, recordA.Strategy));
        Assert.Equal(("pb", "searches"), (recordB.Patient.Id, recordB.Strategy));
        Assert.All(recordA.Resources, r => Assert.DoesNotContain("-of-b", r.Id, StringComparison.Ordinal));
        Assert.All(recordB.Resources, r => Assert.EndsWith("-of-b", r.Id, StringComparison.Ordinal));

        // Each load reports every section exactly once, with its own counts.
        Assert.Equal(ContextSections.Keys.Order(), progressA.Statuses.Select(s => s.Section).Order());
        Assert.Equal(ContextSections.Keys.Order(), progressB.Statuses.Select(s => s.Section).Order());
        Assert.All(progressA.Statuses.Concat(progressB.Statuses), s => Assert.Equal(SectionState.Loaded, s.State));
        Assert.Equal(0, progressB.Statuses.Single(s => s.Section == "Conditions").Count);
        Assert.Equal(resourcesB.OfType<Observation>().Count(), progressB.Statuses.Single(s => s.Section == "Labs").Count);
    }

    private sealed class Collect : IProgress<SectionStatus>
    {
        private readonly ConcurrentQueue<SectionStatus> _statuses = new();

        public IReadOnlyList<SectionStatus> Statuses => [.. _statuses];

        public void Report(SectionStatus value) => _statuses.Enqueue(value);
    }

    /// <summary>A loopback FHIR server holding several patients: a CapabilityStatement offering $everything, the
    /// patient read, <c>Patient/{id}/$everything</c> (one page; <c>everythingFault</c> may answer instead or delay) and
    /// searches by <c>subject</c>/<c>patient</c> (one page).</summary>
    private sealed class TwoPatientServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private TwoPatientServer(WebApplication app, Uri baseUrl) => (_app, BaseUrl) = (app, baseUrl);

        public Uri BaseUrl { get; }

        public static async Task<TwoPatientServer> StartAsync(IReadOnlyList<(Patient Patient, List<Resource> Resources)> patients,
            Func<string, HttpContext, Task<IResult?>> everythingFault, Action<string> onSearch)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var byId = patients.ToDictionary(p => p.Patient.Id!, p => p);
            Bundle Page(IEnumerable<Resource> resources)
            {
                var bundle = new Bundle { Type = Bundle.BundleType.Searchset };
                bundle.Entry.AddRange(resources.Select(r => new Bundle.EntryComponent { Resource = r, Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match } }));
                bundle.Total = bundle.Entry.Count;
                return bundle;
            }

            app.MapGet("/fhir/metadata", () => FakeFhirServer.Fhir(new CapabilityStatement
            {
                Status = PublicationStatus.Active, Kind = CapabilityStatementKind.Instance, FhirVersion = FHIRVersion.N4_0_1,
                Rest = [new CapabilityStatement.RestComponent
                {
                    Mode = CapabilityStatement.RestfulCapabilityMode.Server,
                    Resource = [.. ContextSections.Types.Append("Patient").Select(t => new CapabilityStatement.ResourceComponent
                    {
                        Type = t, Operation = t == "Patient" ? [new CapabilityStatement.OperationComponent { Name = "everything" }] : [],
                    })],
                }],
            }));
            app.MapGet("/fhir/Patient/{id}/$everything", async (string id, HttpContext http) =>
                await everythingFault(id, http) ?? FakeFhirServer.Fhir(Page([byId[id].Patient, .. byId[id].Resources])));
            app.MapGet("/fhir/Patient/{id}", (string id) => FakeFhirServer.Fhir(byId[id].Patient));
            app.MapGet("/fhir/{type}", (string type, HttpContext http) =>
            {
                var id = ((string?)http.Request.Query["subject"] ?? (string?)http.Request.Query["patient"] ?? "").Replace("Patient/", "", StringComparison.Ordinal);
                onSearch(id);
                return FakeFhirServer.Fhir(Page(byId.TryGetValue(id, out var p) ? p.Resources.Where(r => r.TypeName == type) : []));
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            return new TwoPatientServer(app, new Uri(address.TrimEnd('/') + "/fhir/"));
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

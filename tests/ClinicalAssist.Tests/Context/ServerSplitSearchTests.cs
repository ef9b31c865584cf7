using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>A long dated search (Observation) on a server with opaque next links is split into parallel searches over disjoint date ranges (plus one
/// for undated items) on the loopback fake: the same resources as the unsplit chain, no duplicates, the slices
/// overlap in time, a failed slice degrades only its section and says so, and a server that ignores the date
/// parameter falls back to the unsplit chain.</summary>
public sealed class ServerSplitSearchTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    /// <summary>The demo-like patient plus 60 dated lab results spread over five years and 3 without a date.</summary>
    internal static (Patient Patient, List<Resource> Resources) LargePatient()
    {
        var (patient, resources) = DemoLikePatient();
        for (var i = 0; i < 63; i++)
        {
            resources.Insert(i, new Observation // first, so the first page shows the spread of dates
            {
                Id = $"gen-{i}",
                Meta = new Meta { VersionId = "1" },
                Status = ObservationStatus.Final,
                Category = [new CodeableConcept("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory")],
                Code = new CodeableConcept("http://loinc.org", "2345-7", "Glucose"),
                Subject = PatientRef("p1"),
                // Not in date order, as a server's default order need not be.
                Effective = i < 60 ? new FhirDateTime(Now.AddDays(-((i * 37) % 60) * 30 - 1)) : null,
                Value = new Quantity(90 + i, "mg/dL"),
            });
        }

        return (patient, resources);
    }

    internal static async Task<PatientRecord> RecordAsync(FakeFhirServer server, int slices, int pageSize = 5, int? windowDays = null, bool prefetch = true)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Fhir:SplitSlices"] = slices.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fhir:PrefetchPages"] = prefetch ? "true" : "false",
        };
        if (windowDays is { } days)
        {
            settings["Fhir:WindowDays"] = days.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var host = ServerRecordSourceTests.Host(server.BaseUrl, pageSize: pageSize, extra: settings);
        var source = Assert.IsType<ServerRecordSource>(host.Services.GetRequiredService<IPatientRecordSource>());
        var record = await source.GetRecordAsync("p1", Ct);
        Assert.NotNull(record);
        Assert.Equal("searches", source.LastStrategy);
        return record;
    }

    internal static List<string> ObservationIds(PatientRecord record) =>
        record.Resources.OfType<Observation>().Select(o => o.Id!).Order(StringComparer.Ordinal).ToList();

    internal static IEnumerable<string> ObservationSearches(FakeFhirServer server) =>
        server.Requests.Where(r => r.StartsWith("/fhir/Observation?", StringComparison.Ordinal));

    [Fact]
    public async System.Threading.Tasks.Task A_split_search_returns_the_same_observations_as_the_unsplit_chain_without_duplicates()
    {
        var (patient, resources) = LargePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.OpaqueLinks = true; // splitting is for links that cannot be predicted (prefetched otherwise)
        var unsplit = await RecordAsync(server, slices: 1);
        var expected = ObservationIds(unsplit);
        Assert.Equal(70, expected.Count); // everything the fake serves for the patient's Observation search
        Assert.DoesNotContain(ObservationSearches(server), r => r.Contains("date", StringComparison.Ordinal));
        server.Requests.Clear();
        var split = await RecordAsync(server, slices: 4);

        Assert.Equal(expected, ObservationIds(split)); // no loss, and (being a sorted list) no duplicates
        Assert.Equal(split.Resources.Count, split.Resources.Select(r => $"{r.TypeName}/{r.Id}").Distinct().Count());
        Assert.Empty(split.Failures);
        Assert.Contains(expected, id => id == "gen-62"); // an undated item
        // It really was split: date ranges (open below, closed, open above) and the undated-items search.
        var searches = ObservationSearches(server).Select(Uri.UnescapeDataString).ToList();
        Assert.Contains(searches, r => r.Contains("date=lt", StringComparison.Ordinal) && !r.Contains("date=ge", StringComparison.Ordinal));
        Assert.Contains(searches, r => r.Contains("date=ge", StringComparison.Ordinal) && r.Contains("date=lt", StringComparison.Ordinal));
        Assert.Contains(searches, r => r.Contains("date=ge", StringComparison.Ordinal) && !r.Contains("date=lt", StringComparison.Ordinal));
        Assert.Contains(searches, r => r.Contains("date:missing=true", StringComparison.Ordinal));
        // Sections with one page are not split.
        Assert.DoesNotContain(server.Requests, r => r.StartsWith("/fhir/Condition?", StringComparison.Ordinal) && r.Contains("date", StringComparison.Ordinal));
    }

    [Fact]
    public async System.Threading.Tasks.Task The_slices_run_at_the_same_time()
    {
        var (patient, resources) = LargePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.OpaqueLinks = true; // splitting is for links that cannot be predicted (prefetched otherwise)
        server.SearchDelay = TimeSpan.FromMilliseconds(150);

        var split = await RecordAsync(server, slices: 4, pageSize: 10);

        Assert.True(server.PeakInFlight("Observation") >= 3, $"peak {server.PeakInFlight("Observation")} Observation searches at once");
        Assert.Equal(70, ObservationIds(split).Count);

        await using var sequential = await FakeFhirServer.StartAsync(patient, resources);
        sequential.OpaqueLinks = true; // splitting is for links that cannot be predicted (prefetched otherwise)
        sequential.SearchDelay = TimeSpan.FromMilliseconds(20);
        _ = await RecordAsync(sequential, slices: 1, pageSize: 10);
        Assert.Equal(1, sequential.PeakInFlight("Observation"));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_failed_slice_keeps_the_other_slices_and_says_which_part_failed()
    {
        var (patient, resources) = LargePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.OpaqueLinks = true; // splitting is for links that cannot be predicted (prefetched otherwise)
        // The oldest slice (open below: only a "lt" bound) fails every time.
        server.QueryFault = (type, query) =>
            type == "Observation" && query["date"].Count == 1 && query["date"].ToString().StartsWith("lt", StringComparison.Ordinal)
                ? FakeFhirServer.Fhir(new OperationOutcome { Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Fatal, Code = OperationOutcome.IssueType.Exception }] }, 500)
                : null;

        var record = await RecordAsync(server, slices: 4);

        var labs = Assert.Single(record.Failures, f => f.Section == "Labs");
        Assert.Equal(SectionState.Failed, labs.State);
        Assert.Contains("Labs incomplete:", labs.Message, StringComparison.Ordinal);
        Assert.Contains("the part of the search for dates before", labs.Message, StringComparison.Ordinal);
        Assert.Contains("500", labs.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("p1", labs.Message, StringComparison.Ordinal);
        Assert.Contains(record.Failures, f => f.Section == "Vitals" && f.State == SectionState.Failed);
        Assert.DoesNotContain(record.Failures, f => f.Section is not ("Labs" or "Vitals"));
        var loaded = ObservationIds(record);
        Assert.Equal(labs.Count, loaded.Count);
        Assert.InRange(loaded.Count, 6, 69); // more than the first page: the other slices were kept
        Assert.Contains("gen-62", loaded); // the undated slice succeeded
        Assert.NotEmpty(record.Resources.OfType<Condition>());
    }

    [Fact]
    public async System.Threading.Tasks.Task A_server_that_ignores_the_date_parameter_gets_the_unsplit_chain_and_loses_nothing()
    {
        var (patient, resources) = LargePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.OpaqueLinks = true; // splitting is for links that cannot be predicted (prefetched otherwise)
        server.IgnoresDate = true;

        var record = await RecordAsync(server, slices: 4);

        Assert.Equal(70, ObservationIds(record).Count);
        Assert.Equal(record.Resources.Count, record.Resources.Select(r => $"{r.TypeName}/{r.Id}").Distinct().Count());
        Assert.Empty(record.Failures);
    }

    [Fact]
    public async System.Threading.Tasks.Task With_a_window_the_slices_divide_the_window_and_match_the_unsplit_search()
    {
        var (patient, resources) = LargePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.OpaqueLinks = true; // splitting is for links that cannot be predicted (prefetched otherwise)

        var unsplit = await RecordAsync(server, slices: 1, windowDays: 900);
        server.Requests.Clear();
        var split = await RecordAsync(server, slices: 4, windowDays: 900);

        Assert.Equal(ObservationIds(unsplit), ObservationIds(split));
        Assert.InRange(ObservationIds(split).Count, 20, 60); // the window left out old and undated results
        Assert.DoesNotContain("gen-62", ObservationIds(split));
        Assert.DoesNotContain(ObservationSearches(server), r => r.Contains("missing", StringComparison.Ordinal));
        Assert.Contains(ObservationSearches(server).Select(Uri.UnescapeDataString), r => r.Contains("date=lt", StringComparison.Ordinal));
    }
}

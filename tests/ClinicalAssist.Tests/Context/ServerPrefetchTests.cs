using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using static ClinicalAssist.Tests.Context.ServerSplitSearchTests;

namespace ClinicalAssist.Tests.Context;

/// <summary>Speculative paging (<see cref="NextPagePrefetch"/>): pages of a search whose next links carry a page number
/// or offset are fetched in parallel from predicted links, and a page is used only when the server's own link matches
/// — the same resources as following the links one by one, whatever the server does with its links.</summary>
public sealed class ServerPrefetchTests
{
    private static Bundle FirstPage(string next, int matches, int? total)
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Total = total };
        for (var i = 0; i < matches; i++)
        {
            bundle.Entry.Add(new Bundle.EntryComponent { Resource = new Observation { Id = $"o{i}" }, Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match } });
        }

        bundle.Link.Add(new Bundle.LinkComponent { Relation = "next", Url = next });
        return bundle;
    }

    [Fact]
    public void Page_numbers_and_offsets_are_predicted_and_opaque_links_are_not()
    {
        // HAPI style: an offset equal to the page's matches (never _count, which has the same value)
        Assert.Equal(
            ["https://h/fhir?_getpages=abc&_getpagesoffset=500&_count=500", "https://h/fhir?_getpages=abc&_getpagesoffset=1000&_count=500", "https://h/fhir?_getpages=abc&_getpagesoffset=1500&_count=500"],
            NextPagePrefetch.PredictLinks(FirstPage("https://h/fhir?_getpages=abc&_getpagesoffset=500&_count=500", 500, 1800), 500, 100));
        // page index, 0-based (next of the first page is page=1) and 1-based (page=2)
        Assert.Equal(
            ["https://h/fhir/Observation?subject=Patient%2Fp1&_count=10&page=1", "https://h/fhir/Observation?subject=Patient%2Fp1&_count=10&page=2"],
            NextPagePrefetch.PredictLinks(FirstPage("https://h/fhir/Observation?subject=Patient%2Fp1&_count=10&page=1", 10, 25), 10, 100));
        Assert.Equal(
            ["https://h/fhir/Observation?page=2&_count=10", "https://h/fhir/Observation?page=3&_count=10"],
            NextPagePrefetch.PredictLinks(FirstPage("https://h/fhir/Observation?page=2&_count=10", 10, 30), 10, 100));
        // bounded by the page limit
        Assert.Equal(3, NextPagePrefetch.PredictLinks(FirstPage("https://h/fhir/Observation?page=1", 10, 1000), 10, 4)!.Count);

        Assert.Null(NextPagePrefetch.PredictLinks(FirstPage("https://h/fhir/Observation?ct=eyJ0b2tlbiI6MX0%3D", 10, 30), 10, 100)); // opaque
        Assert.Null(NextPagePrefetch.PredictLinks(FirstPage("https://h/fhir/Observation?page=1", 10, total: null), 10, 100)); // size unknown
        Assert.Null(NextPagePrefetch.PredictLinks(FirstPage("https://h/fhir/Observation?page=1&offset=10", 10, 30), 10, 100)); // two candidates
        Assert.Null(NextPagePrefetch.PredictLinks(FirstPage("https://h/fhir/Observation?page=1", 2, 30), 2, 100)); // too few matches to tell
    }

    /// <summary>A server that never answers: every request waits until it is cancelled.</summary>
    private sealed class SilentHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await System.Threading.Tasks.Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    [Fact]
    public async System.Threading.Tasks.Task After_a_stop_no_page_is_left_waiting_for_a_fetch_that_never_comes()
    {
        var links = Enumerable.Range(1, 6).Select(i => $"http://127.0.0.1:9/fhir/Observation?page={i}").ToList();
        var prefetch = new NextPagePrefetch(links, () => new Hl7.Fhir.Rest.FhirClient("http://127.0.0.1:9/fhir/", new HttpClient(new SilentHandler())),
            slots: new SemaphoreSlim(0, 4), maxWorkers: 4, Xunit.TestContext.Current.CancellationToken);
        prefetch.Stop(); // e.g. the second page's real link did not match the prediction

        foreach (var link in links)
        {
            // in flight (cancelled) or never started (cancelled at the stop): either way it ends, and the caller
            // follows the link itself
            var page = prefetch.TryGet(link);
            Assert.NotNull(page);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => page.WaitAsync(TimeSpan.FromSeconds(10), Xunit.TestContext.Current.CancellationToken));
        }

        await prefetch.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10), Xunit.TestContext.Current.CancellationToken);
    }

    [Fact]
    public async System.Threading.Tasks.Task Prefetched_pages_run_at_the_same_time_and_equal_following_the_links()
    {
        var (patient, resources) = LargePatient();
        await using var sequential = await FakeFhirServer.StartAsync(patient, resources);
        sequential.SearchDelay = TimeSpan.FromMilliseconds(20);
        var expected = await RecordAsync(sequential, slices: 1, pageSize: 5, prefetch: false);
        Assert.Equal(1, sequential.PeakInFlight("Observation"));

        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.SearchDelay = TimeSpan.FromMilliseconds(150);
        var record = await RecordAsync(server, slices: 4, pageSize: 5);

        Assert.Equal(ObservationIds(expected), ObservationIds(record));
        Assert.Equal(70, ObservationIds(record).Count);
        Assert.True(server.PeakInFlight("Observation") >= 3, $"peak {server.PeakInFlight("Observation")} Observation pages at once");
        // exactly the pages of the chain (14 of 5), each once: no date slices, no wasted request
        Assert.Equal(ObservationSearches(sequential).Order(), ObservationSearches(server).Order());
        Assert.DoesNotContain(ObservationSearches(server), r => r.Contains("date", StringComparison.Ordinal));
        Assert.Equal(expected.Resources.Select(r => r.TypeName + "/" + r.Id).Order(), record.Resources.Select(r => r.TypeName + "/" + r.Id).Order());
    }

    [Fact]
    public async System.Threading.Tasks.Task Links_that_break_the_pattern_fall_back_to_following_them_with_the_same_result()
    {
        var (patient, resources) = LargePatient();
        await using var sequential = await FakeFhirServer.StartAsync(patient, resources);
        var expected = await RecordAsync(sequential, slices: 1, pageSize: 5, prefetch: false);

        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.ShuffledLinks = true; // every other page's link puts the page number first: predictions miss from page 2
        var record = await RecordAsync(server, slices: 1, pageSize: 5);

        Assert.Equal(ObservationIds(expected), ObservationIds(record));
        Assert.Equal(expected.Resources.Select(r => r.TypeName + "/" + r.Id).Order(), record.Resources.Select(r => r.TypeName + "/" + r.Id).Order());
        Assert.Empty(record.Failures);
        // a wrong guess costs a few requests, bounded by the workers in flight when it was found out
        var wasted = ObservationSearches(server).Count() - ObservationSearches(sequential).Count();
        Assert.InRange(wasted, 0, 12);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_failing_prefetched_page_keeps_the_pages_before_it_and_says_so()
    {
        var (patient, resources) = LargePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.Fault = (type, page) => type == "Observation" && page == 3 ? Microsoft.AspNetCore.Http.Results.StatusCode(404) : null;
        var record = await RecordAsync(server, slices: 1, pageSize: 5);

        Assert.Equal(15, ObservationIds(record).Count); // pages 0–2; pages after the failed one are not used
        Assert.NotEmpty(record.Failures);
        Assert.All(record.Failures, f =>
        {
            Assert.Equal(SectionState.Failed, f.State);
            Assert.Contains("only the first 15 observations were loaded; the next page failed", f.Message, StringComparison.Ordinal);
        });
    }
}

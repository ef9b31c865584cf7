using ClinicalAssist.Web.Features.Context;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>The safety net of the plain reader: for every one of the 41 Synthea samples, the context read through the
/// Server source from a loopback FHIR server holding that patient's record equals, section by section and item by
/// item, the context the Directory source builds from the bundle — with small pages, so that long searches follow
/// several next links.</summary>
public sealed class ServerDirectoryEqualityTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async System.Threading.Tasks.Task Every_Synthea_sample_read_from_a_server_equals_the_directory_context()
    {
        var options = new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = SyntheaDirectory(), MaxItemsPerSection = 100_000 };
        var directory = new DirectoryRecordSource(Options.Create(options), new FakeTimeProvider(Now), NullLogger<DirectoryRecordSource>.Instance);
        var fromDirectory = new PatientContextBuilder(directory, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance, Options.Create(options));
        var patients = await directory.SearchPatientsAsync(null, Ct);
        Assert.Equal(41, patients.Count);
        var pagesFollowed = 0;

        foreach (var summary in patients)
        {
            var record = await directory.GetRecordAsync(summary.Id, Ct);
            Assert.NotNull(record);
            await using var server = await FakeFhirServer.StartAsync(record.Patient, record.Resources);
            using var host = ServerRecordSourceTests.Host(server.BaseUrl, pageSize: 20, maxPages: 1000, extra: new Dictionary<string, string?>
            {
                ["Fhir:MaxItemsPerSection"] = "100000",
            });
            using var scope = host.Services.CreateScope();

            var expected = await fromDirectory.BuildAsync(summary.Id, Ct);
            var actual = await scope.ServiceProvider.GetRequiredService<PatientContextBuilder>().BuildAsync(summary.Id, Ct);

            Assert.NotNull(expected);
            Assert.NotNull(actual);
            Assert.DoesNotContain(actual.Sections, s => s.State is SectionState.Failed or SectionState.Capped);
            Assert.Equal(expected.Sections.Select(s => (s.Section, s.State, s.Count)), actual.Sections.Select(s => (s.Section, s.State, s.Count)));
            var want = MedplumServerSourceTests.Content(expected);
            var got = MedplumServerSourceTests.Content(actual);
            Assert.Equal(want.Keys, got.Keys);
            foreach (var (section, items) in want)
            {
                Assert.Equal(items, got[section]);
            }

            Assert.Equal(expected.Resources.Keys.Order(StringComparer.Ordinal), actual.Resources.Keys.Order(StringComparer.Ordinal));
            pagesFollowed += server.Requests.Count(r => r.Contains("page=", StringComparison.Ordinal));
        }

        Assert.True(pagesFollowed > 41, $"only {pagesFollowed} next pages were followed");
    }
}

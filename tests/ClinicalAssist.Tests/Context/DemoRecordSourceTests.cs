using ClinicalAssist.Web.Features.Context;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

public sealed class DemoRecordSourceTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static DemoRecordSource Source(int count = 5) =>
        new(Options.Create(new FhirOptions { DemoPatientCount = count }), new FakeTimeProvider(Now));

    [Fact]
    public async System.Threading.Tasks.Task Serves_the_configured_number_of_generated_patients()
    {
        var source = Source(count: 5);

        var all = await source.SearchPatientsAsync("", Ct);

        Assert.Equal("Demo", source.Name);
        Assert.Equal(5, all.Count);
        Assert.Equal(5, all.Select(p => p.Id).Distinct().Count());
        Assert.All(all, p => Assert.False(string.IsNullOrWhiteSpace(p.DisplayName)));
        Assert.All(all, p => Assert.NotNull(p.Mrn));
    }

    [Fact]
    public async System.Threading.Tasks.Task Generates_once_and_serves_records_that_build_into_contexts()
    {
        var source = Source(count: 3);
        var first = (await source.SearchPatientsAsync(null, Ct))[0];

        var record = await source.GetRecordAsync(first.Id, Ct);
        var again = await source.GetRecordAsync(first.Id, Ct);
        var context = await new PatientContextBuilder(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance).BuildAsync(first.Id, Ct);

        Assert.NotNull(record);
        Assert.Same(record.Patient, again?.Patient);
        Assert.NotNull(context);
        Assert.Equal(first.DisplayName, context.Patient.DisplayName);
        Assert.Equal("in-progress", context.Encounter?.Status);
        Assert.NotNull(context.Patient.AdmittedAt);
        Assert.True(context.Patient.AdmittedAt <= new DateTimeOffset(2026, 11, 24, 7, 0, 0, TimeSpan.Zero), "anchored at 07:00 UTC today");
        Assert.Null(await source.GetRecordAsync("no-such-demo-patient", Ct));
    }

    [Fact]
    public async System.Threading.Tasks.Task Search_matches_name_and_mrn()
    {
        var source = Source(count: 4);
        var target = (await source.SearchPatientsAsync(null, Ct))[2];

        var byName = await source.SearchPatientsAsync(target.DisplayName.ToUpperInvariant(), Ct);
        var byMrn = await source.SearchPatientsAsync(target.Mrn, Ct);

        Assert.Contains(byName, p => p.Id == target.Id);
        Assert.Contains(byMrn, p => p.Id == target.Id);
    }
}

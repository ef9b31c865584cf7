using Bunit;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Patients;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

public sealed class ChartSectionsTests : MudTestContext
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async System.Threading.Tasks.Task Synthea_chart_shows_counts_every_section_trend_charts_and_the_cap()
    {
        var folder = SyntheaDirectory();
        var options = Options.Create(new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = folder, MaxItemsPerSection = 50 });
        var source = new DirectoryRecordSource(options, new FakeTimeProvider(Now), NullLogger<DirectoryRecordSource>.Instance);
        var harland = Assert.Single(await source.SearchPatientsAsync("Harland", Ct));
        var context = await new PatientContextBuilder(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance, options).BuildAsync(harland.Id, Ct);
        Assert.NotNull(context);

        var cut = Render<ChartSections>(p => p.Add(x => x.Context, context));

        Assert.Equal(context.Conditions.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), cut.Find("[data-testid=count-Conditions]").TextContent.Trim());
        Assert.Equal("50", cut.Find("[data-testid=count-Vitals]").TextContent.Trim());
        Assert.Contains(cut.FindAll("[data-testid=section-note]"), n => n.TextContent.Contains("showing 50 of 85 vitals", StringComparison.Ordinal));
        Assert.NotEmpty(cut.FindAll("[data-testid=procedure]"));
        Assert.NotEmpty(cut.FindAll("[data-testid=immunization]"));
        Assert.NotEmpty(cut.FindAll("[data-testid=report]"));
        Assert.NotEmpty(cut.FindAll("[data-testid=careplan]"));
        var trends = cut.FindAll("[data-testid=lab-trend]");
        Assert.InRange(trends.Count, 1, 6);
        Assert.All(trends, t => Assert.NotNull(t.QuerySelector("svg")));
    }

    [Fact]
    public void Abnormal_values_are_highlighted_and_failed_sections_say_why()
    {
        var (patient, resources) = DemoLikePatient();
        var record = new PatientRecord(patient, resources,
            [new SectionStatus("Immunizations", SectionState.Failed, 0, "Immunizations unavailable: server returned 503 (ServiceUnavailable).")]);
        var context = new PatientContextBuilder(new NoSource(), new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance).Build(record);

        var cut = Render<ChartSections>(p => p.Add(x => x.Context, context));

        var abnormal = cut.FindAll("[data-testid=labs] tr.abnormal");
        Assert.Equal(context.Labs.GroupBy(l => l.Loinc).Count(g => g.OrderByDescending(l => l.Effective).First().IsAbnormal), abnormal.Count);
        Assert.NotEmpty(abnormal);
        Assert.Contains(cut.FindAll("[data-testid=section-note]"), n => n.TextContent.Contains("server returned 503", StringComparison.Ordinal));
        Assert.Empty(cut.FindAll("[data-testid=count-Immunizations]"));
    }

    private sealed class NoSource : IPatientRecordSource
    {
        public string Name => "None";

        public Task<IReadOnlyList<PatientSummary>> SearchPatientsAsync(string? query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PatientRecord?> GetRecordAsync(string patientId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}

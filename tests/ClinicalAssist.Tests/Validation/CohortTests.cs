using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Validation;

namespace ClinicalAssist.Tests.Validation;

/// <summary>Cohorts of a run's report: a crafted set in which one age band does worse is flagged, with its n and a
/// Wilson interval; the others stay within 0.8–1.25 of the whole.</summary>
public sealed class CohortTests
{
    private static (List<EvaluationCase> Cases, Dictionary<Guid, EvaluationResult> Results) Crafted()
    {
        var cases = new List<EvaluationCase>();
        var results = new Dictionary<Guid, EvaluationResult>();
        void Add(string ageBand, string sex, bool verified)
        {
            var c = new EvaluationCase { Id = Guid.NewGuid(), Position = cases.Count + 1, AgeBand = ageBand, Sex = sex, Service = "Ward 7B", ContextSnapshot = "" };
            cases.Add(c);
            results[c.Id] = new EvaluationResult
            {
                Id = Guid.NewGuid(), CaseId = c.Id, Succeeded = true, Structured = true,
                CitedStatements = 10, ValidCitedStatements = verified ? 10 : 9, UnknownKeys = verified ? 0 : 1,
                MustIncludeDeclared = 1, MustIncludeCovered = 1, LatencyMs = 1000,
            };
        }
        // 30 adults of 18–39 (29 verified) and 10 of 80+ (4 verified), alternating sex.
        for (var i = 0; i < 30; i++) Add("18–39", i % 2 == 0 ? "female" : "male", i != 0);
        for (var i = 0; i < 10; i++) Add("80+", i % 2 == 0 ? "female" : "male", i < 4);
        return (cases, results);
    }

    [Fact]
    public void A_cohort_that_does_worse_is_flagged_with_its_n_and_interval()
    {
        var (cases, results) = Crafted();
        var report = EvaluationReports.Build(new EvaluationRun(), new EvaluationSet { Name = "Crafted" }, cases, results, new ValidationOptions());

        Assert.Equal(33.0 / 40, report.Whole.VerifiedRate);
        var old = report.Cohorts.Single(c => c.Dimension == "Age band" && c.Cohort == "80+" && c.Metric == "Verified cases");
        Assert.Equal(10, old.N);
        Assert.Equal(0.4, old.Value, 3);
        Assert.Equal(0.4 / (33.0 / 40), old.Ratio, 3);
        Assert.True(old.Flagged);
        Assert.Equal(0.168, old.Low, 3);  // Wilson 95 % for 4 of 10
        Assert.Equal(0.687, old.High, 3);

        var young = report.Cohorts.Single(c => c.Dimension == "Age band" && c.Cohort == "18–39" && c.Metric == "Verified cases");
        Assert.Equal(30, young.N);
        Assert.False(young.Flagged); // 0.967 / 0.825 = 1.17
        Assert.All(report.Cohorts.Where(c => c.Dimension == "Sex"), c => Assert.False(c.Flagged));
        Assert.True(report.AnyCohortFlagged);
        // Must-include recall is 100 % everywhere: a ratio of 1, never flagged.
        Assert.All(report.Cohorts.Where(c => c.Metric == "Must-include recall"), c => Assert.Equal(1.0, c.Ratio));
    }

    [Fact]
    public void Latency_percentiles_are_nearest_rank()
    {
        Assert.Equal(50, EvaluationReports.Percentile([.. Enumerable.Range(1, 100)], 0.50));
        Assert.Equal(95, EvaluationReports.Percentile([.. Enumerable.Range(1, 100)], 0.95));
        Assert.Null(EvaluationReports.Percentile([], 0.5));
    }
}

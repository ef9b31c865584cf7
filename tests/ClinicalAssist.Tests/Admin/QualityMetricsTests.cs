using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Admin;

namespace ClinicalAssist.Tests.Admin;

/// <summary>Seeded drafts with figures computed by hand (see the comments) against <see cref="QualityMetrics"/>.</summary>
public sealed class QualityMetricsTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset Day1 = new(2026, 11, 20, 8, 0, 0, TimeSpan.Zero);
    private static readonly Guid ConfigA = Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001");
    private static readonly Guid ConfigB = Guid.Parse("bbbbbbbb-0000-0000-0000-000000000002");
    private static readonly QualityFilter Period = new(new DateTimeOffset(2026, 11, 20, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await using var db = _db.CreateDbContext();
        db.ModelConfigurations.AddRange(
            new ModelConfiguration { Id = ConfigA, Name = "Foundry GPT-4o", Provider = ModelProvider.AzureAIInference },
            new ModelConfiguration { Id = ConfigB, Name = "Offline drafter", Provider = ModelProvider.Offline });
        //  #  config  ver status     edit  warn omit ttft  dur   prompt/completion  day     reasons
        Add(db, 1, ConfigA, 1, DraftStatus.Signed, 0.00, 0, 0, 100, 1000, 1000, 200, 0);
        Add(db, 2, ConfigA, 1, DraftStatus.Approved, 0.05, 1, 0, 200, 2000, 1100, 300, 0, reviewApproved: true);
        Add(db, 3, ConfigA, 1, DraftStatus.Returned, 0.30, 2, 1, 300, 3000, 900, 100, 1, reviewApproved: false, reviewReason: "omission");
        Add(db, 4, ConfigA, 1, DraftStatus.Rejected, null, 3, 2, 400, 4000, 1000, 400, 1, rejection: "unsupported-claim");
        Add(db, 5, ConfigA, 1, DraftStatus.Draft, null, 0, 0, 500, 5000, null, null, 1);
        Add(db, 6, ConfigA, 1, DraftStatus.Failed, null, 0, 0, null, null, null, null, 1);
        Add(db, 7, ConfigB, 2, DraftStatus.Rejected, null, 0, 0, 10, 50, null, null, 2, rejection: "unsupported-claim");
        Add(db, 8, ConfigA, 1, DraftStatus.Signed, 0.90, 9, 9, 9000, 9000, 5000, 5000, 5); // outside the period
        await db.SaveChangesAsync(Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private static void Add(AppDbContext db, int n, Guid config, int version, DraftStatus status, double? edit, int warnings, int omissions,
        int? ttft, int? duration, int? prompt, int? completion, int day, string? rejection = null, bool? reviewApproved = null, string? reviewReason = null)
    {
        var id = Guid.Parse($"00000000-0000-0000-0000-{n:000000000000}");
        var draft = new Draft
        {
            Id = id, PatientId = $"secret-patient-{n}", PatientLabel = $"Secret Name {n}", RecordSource = "Demo", DrafterName = "drafter", ModelId = "m",
            TemplateId = "clinical-summary", TemplateVersion = version, ModelConfigurationId = config,
            ModelConfigurationName = config == ConfigA ? "Foundry GPT-4o" : "Offline drafter", Status = status, EditDistance = edit,
            WarningCount = warnings, MustIncludeOmissionCount = omissions, TimeToFirstTokenMs = ttft, DurationMs = duration,
            PromptTokens = prompt, CompletionTokens = completion, CreatedById = "c", CreatedByName = "C", CreatedAt = Day1.AddDays(day).AddMinutes(n),
            RejectionReason = rejection, GeneratedText = "x",
        };
        if (reviewApproved is { } approved)
        {
            draft.Review = new ReviewDecision { Id = Guid.NewGuid(), DraftId = id, Approved = approved, ReasonCode = reviewReason, ReviewerId = "r", ReviewerName = "R", DecidedAt = draft.CreatedAt.AddHours(1) };
        }
        db.Drafts.Add(draft);
    }

    [Fact]
    public async Task Overall_figures_match_the_hand_computed_values()
    {
        var report = await new QualityMetrics(_db).ReportAsync(Period, Ct);
        var f = report.Overall;

        // Drafts 1–7 are in the period; 6 generated (all but the failed #6); signed = #1, #2, #3.
        Assert.Equal((7, 6, 1, 3, 2, 1, 1), (f.Total, f.Generated, f.Failed, f.Signed, f.Rejected, f.Approved, f.Returned));
        Assert.Equal([new CountBy("Unsupported claim / hallucination", 2)], f.RejectionReasons);
        Assert.Equal([new CountBy("Omission", 1)], f.ReturnReasons);
        // Edit distance over #1–#3: (0 + 0.05 + 0.30) / 3.
        Assert.Equal(0.35 / 3, f.EditDistanceMean!.Value, 10);
        Assert.Equal([1, 1, 0, 1, 0], f.EditDistanceDistribution.Select(b => b.Count));
        // Warnings 0+1+2+3+0+0 = 6 over 6 generated; omissions 0+0+1+2+0+0 = 3.
        Assert.Equal(1.0, f.WarningsPerDraft);
        Assert.Equal(3, f.MustIncludeOmissions);
        Assert.Equal(0.5, f.OmissionsPerDraft);
        // TTFT sorted 10,100,200,300,400,500: p50 = 3rd, p95 = 6th. Duration 50,1000,…,5000.
        Assert.Equal((200, 500, 2000, 5000), (f.TimeToFirstTokenP50!.Value, f.TimeToFirstTokenP95!.Value, f.LatencyP50!.Value, f.LatencyP95!.Value));
        Assert.Equal(
            [new TokensOnDay(new DateOnly(2026, 11, 20), 2100, 500), new TokensOnDay(new DateOnly(2026, 11, 21), 1900, 500)],
            f.TokensPerDay);
    }

    [Fact]
    public async Task Figures_are_grouped_per_configuration_and_template_version_and_filters_apply()
    {
        var report = await new QualityMetrics(_db).ReportAsync(Period, Ct);

        Assert.Equal(["Foundry GPT-4o v1", "Offline drafter v2"], report.Groups.Select(g => $"{g.ModelConfigurationName} v{g.TemplateVersion}"));
        var a = report.Groups[0].Figures;
        // Config A: TTFT 100..500 → p50 = 3rd (300), p95 = 5th (500).
        Assert.Equal((6, 5, 3, 1, 300, 500), (a.Total, a.Generated, a.Signed, a.Rejected, a.TimeToFirstTokenP50!.Value, a.TimeToFirstTokenP95!.Value));
        var b = report.Groups[1].Figures;
        Assert.Equal((1, 1, 0, 1), (b.Total, b.Generated, b.Signed, b.Rejected));
        Assert.Null(b.EditDistanceMean);
        Assert.Empty(b.TokensPerDay);

        var onlyB = await new QualityMetrics(_db).ReportAsync(Period with { ModelConfigurationId = ConfigB }, Ct);
        Assert.Equal(1, onlyB.Overall.Total);
        var version1 = await new QualityMetrics(_db).ReportAsync(Period with { TemplateId = "clinical-summary", TemplateVersion = 1 }, Ct);
        Assert.Equal(6, version1.Overall.Total);
        var later = await new QualityMetrics(_db).ReportAsync(new QualityFilter(Day1.AddDays(5), Day1.AddDays(6)), Ct);
        Assert.Equal((1, 0.9), (later.Overall.Total, later.Overall.EditDistanceMean!.Value));
    }

    [Theory]
    [InlineData(0.50, 5)]
    [InlineData(0.95, 10)]
    [InlineData(0.10, 1)]
    public void Percentiles_use_the_nearest_rank(double p, int expected) =>
        Assert.Equal(expected, QualityMetrics.Percentile(Enumerable.Range(1, 10).Select(i => (int?)i).Reverse(), p));

    [Fact]
    public void Percentile_of_nothing_is_null_and_of_one_value_is_that_value()
    {
        Assert.Null(QualityMetrics.Percentile([null, null], 0.5));
        Assert.Equal(42, QualityMetrics.Percentile([42], 0.95));
    }

    [Fact]
    public async Task Csv_export_has_one_row_per_draft_in_the_period_and_no_patient_identifiers()
    {
        using var writer = new StringWriter();
        await new QualityMetrics(_db).WriteCsvAsync(Period, writer, Ct);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();

        Assert.Equal(8, lines.Count);
        Assert.StartsWith("draft_id,created_at_utc,model_configuration_id,model_configuration,", lines[0], StringComparison.Ordinal);
        Assert.Equal("00000000-0000-0000-0000-000000000003,2026-11-21T08:03:00.000Z,aaaaaaaa-0000-0000-0000-000000000001,Foundry GPT-4o,,clinical-summary,1,Returned,2,1,0.3,300,3000,900,100,,returned,omission", lines[3]);
        Assert.DoesNotContain("secret", writer.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}

using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Tests.Governance;

public sealed class AuditTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task SeedAsync()
    {
        var log = new AuditLog(_db, _clock);
        await log.WriteAsync(AuditActions.SignedIn, new Actor("u1", "Dr One"), cancellationToken: Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await log.WriteAsync(AuditActions.ChartViewed, new Actor("u1", "Dr One"), "p1", cancellationToken: Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await log.WriteAsync(AuditActions.DraftSigned, new Actor("u1", "Dr One"), "p1", Guid.NewGuid(), details: "=HYPERLINK(\"x\"), \"quoted\"", cancellationToken: Ct);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await log.WriteAsync(AuditActions.DraftApproved, new Actor("u2", "Dr Two"), "p2", Guid.NewGuid(), cancellationToken: Ct);
    }

    [Fact]
    public async Task Viewer_filters_by_user_patient_action_prefix_and_time_newest_first()
    {
        await SeedAsync();
        var query = new AuditQuery(_db);

        var (byUser, _) = await query.GetPageAsync(new AuditFilter { User = "Dr One" }, null, 50, Ct);
        Assert.Equal([AuditActions.DraftSigned, AuditActions.ChartViewed, AuditActions.SignedIn], byUser.Select(a => a.Action));

        var (byPatient, _) = await query.GetPageAsync(new AuditFilter { PatientId = "p1", Action = "draft." }, null, 50, Ct);
        Assert.Equal([AuditActions.DraftSigned], byPatient.Select(a => a.Action));
        // The documented form of a family (docs/audit.md: "draft.*") finds the same rows (it found none).
        var (byFamily, _) = await query.GetPageAsync(new AuditFilter { PatientId = "p1", Action = "draft.*" }, null, 50, Ct);
        Assert.Equal([AuditActions.DraftSigned], byFamily.Select(a => a.Action));

        var start = new DateTimeOffset(2026, 11, 24, 8, 1, 0, TimeSpan.Zero);
        var (byTime, _) = await query.GetPageAsync(new AuditFilter { From = start, To = start.AddMinutes(2) }, null, 50, Ct);
        Assert.Equal([AuditActions.DraftSigned, AuditActions.ChartViewed], byTime.Select(a => a.Action));

        var (page1, next) = await query.GetPageAsync(new AuditFilter(), null, 3, Ct);
        var (page2, end) = await query.GetPageAsync(new AuditFilter(), next, 3, Ct);
        Assert.Equal(3, page1.Count);
        Assert.Single(page2);
        Assert.Null(end);
    }

    [Fact]
    public async Task Csv_export_quotes_fields_and_neutralises_formulas()
    {
        await SeedAsync();
        using var writer = new StringWriter();

        await new AuditQuery(_db).WriteCsvAsync(new AuditFilter { Action = AuditActions.DraftSigned }, writer, Ct);

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("id,at_utc,action,outcome,user_id,user_name,patient_id,draft_id,details", lines[0].TrimEnd('\r'));
        Assert.Equal(2, lines.Length);
        Assert.Contains("2026-11-24T08:02:00.000Z,draft.signed,success,u1,Dr One,p1,", lines[1]);
        Assert.EndsWith("\"'=HYPERLINK(\"\"x\"\"), \"\"quoted\"\"\"", lines[1].TrimEnd('\r'));
    }

    [Fact]
    public async Task Retention_is_off_by_default_and_when_set_removes_only_older_events_and_records_the_purge()
    {
        await SeedAsync();
        var options = new AuditOptions();
        var service = new AuditRetentionService(_db, new StaticMonitor(options), new AuditLog(_db, _clock), new AuditChainVerifier(_db, _clock), _clock, NullLogger<AuditRetentionService>.Instance);

        _clock.Advance(TimeSpan.FromDays(400));
        Assert.Equal(0, await service.PurgeAsync(Ct));

        options.RetentionDays = 200;
        await new AuditLog(_db, _clock).WriteAsync(AuditActions.SignedIn, new Actor("u3", "Dr Three"), cancellationToken: Ct);
        Assert.Equal(4, await service.PurgeAsync(Ct));

        await using var db = _db.CreateDbContext();
        Assert.Equal([AuditActions.SignedIn, AuditActions.AuditPurged], await db.AuditEvents.OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct));
    }

    [Theory]
    [InlineData(null, true)]
    [InlineData(183, true)]
    [InlineData(90, false)]
    public void Retention_shorter_than_six_months_is_refused(int? days, bool valid)
    {
        var result = new DataAnnotationValidateOptions<AuditOptions>(null).Validate(null, new AuditOptions { RetentionDays = days });
        Assert.Equal(valid, result.Succeeded);
    }

    private sealed class StaticMonitor(AuditOptions value) : IOptionsMonitor<AuditOptions>
    {
        public AuditOptions CurrentValue => value;
        public AuditOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<AuditOptions, string?> listener) => null;
    }
}

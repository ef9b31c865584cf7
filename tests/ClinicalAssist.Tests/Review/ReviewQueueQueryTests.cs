using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Review;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Tests.Review;

public sealed class ReviewQueueQueryTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
    private TestDatabase _db = null!;
    private ReviewQueueQuery _query = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _query = new ReviewQueueQuery(_db);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<List<Draft>> SeedAsync(int count, Func<int, Draft, Draft>? shape = null)
    {
        var drafts = Enumerable.Range(0, count).Select(i =>
        {
            var d = new Draft
            {
                Id = Guid.NewGuid(), PatientId = $"p{i % 5}", PatientLabel = $"Patient {i % 5}", RecordSource = "Demo",
                DrafterName = "Offline", ModelId = i % 2 == 0 ? "offline-rules-v1" : "gpt-4o", TemplateId = "clinical-summary",
                TemplateVersion = 1 + i % 2, Status = DraftStatus.Signed, GeneratedText = "x", SignedText = "x",
                CreatedById = "gen", CreatedByName = "Gen", CreatedAt = T0,
                ClinicianDecisionById = i % 3 == 0 ? "c1" : "c2", ClinicianDecisionByName = i % 3 == 0 ? "Dr One" : "Dr Two",
                // Every second pair shares a timestamp, so the id tie-breaker matters.
                ClinicianDecisionAt = T0.AddMinutes(i / 2), WarningCount = i % 4 == 0 ? 2 : 0,
            };
            return shape?.Invoke(i, d) ?? d;
        }).ToList();
        await using var db = _db.CreateDbContext();
        db.Drafts.AddRange(drafts);
        await db.SaveChangesAsync(Ct);
        return drafts;
    }

    private async Task<List<QueueRow>> AllPagesAsync(ReviewQueueFilter filter, int pageSize)
    {
        var rows = new List<QueueRow>();
        QueueCursor? cursor = null;
        do
        {
            var page = await _query.GetPageAsync(filter, cursor, pageSize, Ct);
            Assert.True(page.Rows.Count <= pageSize);
            rows.AddRange(page.Rows);
            cursor = page.Next;
        } while (cursor is not null);
        return rows;
    }

    [Theory]
    [InlineData(QueueSort.OldestFirst, 7)]
    [InlineData(QueueSort.NewestFirst, 7)]
    [InlineData(QueueSort.OldestFirst, 1)]
    [InlineData(QueueSort.NewestFirst, 100)]
    public async Task Keyset_pages_visit_every_row_once_in_order(QueueSort sort, int pageSize)
    {
        var drafts = await SeedAsync(41);

        var rows = await AllPagesAsync(new ReviewQueueFilter { Sort = sort }, pageSize);

        Assert.Equal(41, rows.Count);
        Assert.Equal(41, rows.Select(r => r.Id).Distinct().Count());
        var times = rows.Select(r => r.SignedAt).ToList();
        Assert.Equal(sort == QueueSort.OldestFirst ? times.Order() : times.OrderDescending(), times);
        Assert.Equal(drafts.Select(d => d.Id).Order(), rows.Select(r => r.Id).Order());
    }

    [Fact]
    public async Task Filters_combine()
    {
        var drafts = await SeedAsync(40, (i, d) => { if (i >= 30) d.Status = DraftStatus.Approved; return d; });

        var filter = new ReviewQueueFilter
        {
            ClinicianId = "c1", ModelId = "offline-rules-v1", TemplateVersion = 1, HasWarnings = true,
            SignedFrom = T0.AddMinutes(2), SignedTo = T0.AddMinutes(14), Patient = "Patient",
        };
        var rows = await AllPagesAsync(filter, 3);

        var expected = drafts.Where(d => d.Status == DraftStatus.Signed && d.ClinicianDecisionById == "c1" && d.ModelId == "offline-rules-v1"
                                         && d.TemplateVersion == 1 && d.WarningCount > 0
                                         && d.ClinicianDecisionAt >= T0.AddMinutes(2) && d.ClinicianDecisionAt < T0.AddMinutes(14))
            .Select(d => d.Id).Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, rows.Select(r => r.Id).Order());

        var approved = await AllPagesAsync(new ReviewQueueFilter { View = QueueView.Approved }, 50);
        Assert.Equal(10, approved.Count);
        var byPatientId = await AllPagesAsync(new ReviewQueueFilter { View = QueueView.AllSigned, Patient = "p3" }, 50);
        Assert.Equal(8, byPatientId.Count);
    }

    [Fact]
    public async Task Counts_per_status()
    {
        await SeedAsync(12, (i, d) => { d.Status = i < 5 ? DraftStatus.Signed : i < 9 ? DraftStatus.Approved : DraftStatus.Returned; return d; });

        var counts = await _query.CountsAsync(Ct);

        Assert.Equal(5, counts[DraftStatus.Signed]);
        Assert.Equal(4, counts[DraftStatus.Approved]);
        Assert.Equal(3, counts[DraftStatus.Returned]);
    }

    [Fact]
    public void The_page_query_uses_no_OFFSET_on_either_provider()
    {
        var filter = new ReviewQueueFilter { HasWarnings = true, ClinicianId = "c1" };
        var cursor = new QueueCursor(T0, Guid.NewGuid());
        using var sqlite = _db.CreateDbContext();
        var sqliteSql = ReviewQueueQuery.BuildQuery(sqlite, filter, cursor).Take(26).ToQueryString();
        using var sqlServer = SqlServerContext();
        var sqlServerSql = ReviewQueueQuery.BuildQuery(sqlServer, filter, cursor).Take(26).ToQueryString();

        Assert.DoesNotMatch(@"(?i)\bOFFSET\b", sqliteSql);
        Assert.DoesNotMatch(@"(?i)\bOFFSET\b", sqlServerSql);
        Assert.Contains("[d].[Id] >", sqlServerSql.Replace("\r", "", StringComparison.Ordinal));
        Assert.Contains("ORDER BY", sqlServerSql);
    }

    internal static AppDbContext SqlServerContext()
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        options.UseClinicalAssistDatabase(DatabaseProvider.SqlServer, "Server=localhost;Database=none;Connect Timeout=1");
        return new AppDbContext(options.Options);
    }
}

using System.Globalization;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Admin;

/// <summary>Quality metrics per model configuration and template version over a period, and their CSV export.
/// The figures are computed in memory by <see cref="Compute"/> (a plain function, tested against hand-computed values).</summary>
public sealed class QualityMetrics(IDbContextFactory<AppDbContext> dbFactory)
{
    public static readonly IReadOnlyList<string> EditDistanceBuckets = ["0% (unchanged)", "≤10%", "10–25%", "25–50%", ">50%"];

    private static readonly DraftStatus[] GeneratedStatuses = [DraftStatus.Draft, DraftStatus.Signed, DraftStatus.Rejected, DraftStatus.Approved, DraftStatus.Returned];
    private static readonly DraftStatus[] SignedStatuses = [DraftStatus.Signed, DraftStatus.Approved, DraftStatus.Returned];

    public async Task<IReadOnlyList<QualityDraftRow>> RowsAsync(QualityFilter filter, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = db.Drafts.AsNoTracking().Where(d => d.CreatedAt >= filter.From && d.CreatedAt < filter.To);
        if (filter.ModelConfigurationId is { } config) query = query.Where(d => d.ModelConfigurationId == config);
        if (!string.IsNullOrWhiteSpace(filter.TemplateId)) query = query.Where(d => d.TemplateId == filter.TemplateId);
        if (filter.TemplateVersion is { } version) query = query.Where(d => d.TemplateVersion == version);
        var rows = await query.Select(d => new QualityDraftRow(
                d.Id, d.CreatedAt, d.ModelConfigurationId, d.ModelConfigurationName ?? d.DrafterName, d.ReportedModelId,
                d.TemplateId, d.TemplateVersion, d.Status, d.WarningCount, d.MustIncludeOmissionCount, d.EditDistance,
                d.TimeToFirstTokenMs, d.DurationMs, d.PromptTokens, d.CompletionTokens, d.RejectionReason,
                d.Review == null ? null : d.Review.Approved, d.Review == null ? null : d.Review.ReasonCode))
            .ToListAsync(ct);
        return rows.OrderBy(r => r.CreatedAt).ThenBy(r => r.DraftId).ToList();
    }

    public async Task<QualityReport> ReportAsync(QualityFilter filter, CancellationToken ct) => Report(await RowsAsync(filter, ct));

    public static QualityReport Report(IReadOnlyList<QualityDraftRow> rows) => new(
        Compute(rows),
        rows.GroupBy(r => (r.ModelConfigurationId, r.ModelConfigurationName, r.TemplateId, r.TemplateVersion))
            .OrderBy(g => g.Key.ModelConfigurationName, StringComparer.Ordinal).ThenBy(g => g.Key.TemplateId, StringComparer.Ordinal).ThenBy(g => g.Key.TemplateVersion)
            .Select(g => new QualityGroup(g.Key.ModelConfigurationId, g.Key.ModelConfigurationName, g.Key.TemplateId, g.Key.TemplateVersion, Compute(g.ToList())))
            .ToList());

    public static QualityFigures Compute(IReadOnlyCollection<QualityDraftRow> rows)
    {
        var generated = rows.Where(r => GeneratedStatuses.Contains(r.Status)).ToList();
        var signed = rows.Where(r => SignedStatuses.Contains(r.Status)).ToList();
        var distances = signed.Where(r => r.EditDistance is not null).Select(r => r.EditDistance!.Value).ToList();
        var buckets = new int[EditDistanceBuckets.Count];
        foreach (var d in distances)
        {
            buckets[d <= 0 ? 0 : d <= 0.10 ? 1 : d <= 0.25 ? 2 : d <= 0.50 ? 3 : 4]++;
        }

        return new QualityFigures(
            Total: rows.Count,
            Generated: generated.Count,
            Failed: rows.Count(r => r.Status == DraftStatus.Failed),
            Signed: signed.Count,
            Rejected: rows.Count(r => r.Status == DraftStatus.Rejected),
            Approved: rows.Count(r => r.Status == DraftStatus.Approved),
            Returned: rows.Count(r => r.Status == DraftStatus.Returned),
            RejectionReasons: Reasons(rows.Where(r => r.Status == DraftStatus.Rejected).Select(r => r.RejectionReason)),
            ReturnReasons: Reasons(rows.Where(r => r.ReviewApproved == false).Select(r => r.ReviewReason)),
            EditDistanceMean: distances.Count == 0 ? null : distances.Average(),
            EditDistanceDistribution: EditDistanceBuckets.Select((label, i) => new CountBy(label, buckets[i])).ToList(),
            WarningsPerDraft: generated.Count == 0 ? null : generated.Average(r => (double)r.WarningCount),
            MustIncludeOmissions: generated.Sum(r => r.MustIncludeOmissionCount),
            OmissionsPerDraft: generated.Count == 0 ? null : generated.Average(r => (double)r.MustIncludeOmissionCount),
            TimeToFirstTokenP50: Percentile(generated.Select(r => r.TimeToFirstTokenMs), 0.50),
            TimeToFirstTokenP95: Percentile(generated.Select(r => r.TimeToFirstTokenMs), 0.95),
            LatencyP50: Percentile(generated.Select(r => r.DurationMs), 0.50),
            LatencyP95: Percentile(generated.Select(r => r.DurationMs), 0.95),
            TokensPerDay: rows.Where(r => r.PromptTokens is not null || r.CompletionTokens is not null)
                .GroupBy(r => DateOnly.FromDateTime(r.CreatedAt.UtcDateTime))
                .OrderBy(g => g.Key)
                .Select(g => new TokensOnDay(g.Key, g.Sum(r => (long)(r.PromptTokens ?? 0)), g.Sum(r => (long)(r.CompletionTokens ?? 0))))
                .ToList());
    }

    /// <summary>Nearest-rank percentile: the smallest value with at least <paramref name="p"/> of the values at or
    /// below it (p50 of 1..10 is 5, p95 is 10). Null when there are no values.</summary>
    public static int? Percentile(IEnumerable<int?> values, double p)
    {
        var sorted = values.Where(v => v is not null).Select(v => v!.Value).Order().ToList();
        if (sorted.Count == 0) return null;
        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank, 1, sorted.Count) - 1];
    }

    private static List<CountBy> Reasons(IEnumerable<string?> codes) =>
        codes.GroupBy(c => c is null ? "(no reason code)" : DecisionReasons.Display(c))
            .Select(g => new CountBy(g.Key, g.Count()))
            .OrderByDescending(c => c.Count).ThenBy(c => c.Label, StringComparer.Ordinal).ToList();

    /// <summary>The rows behind the figures, as RFC 4180 CSV (formula-safe). No patient identifiers or note text.</summary>
    public async Task WriteCsvAsync(QualityFilter filter, TextWriter writer, CancellationToken ct)
    {
        await writer.WriteLineAsync("draft_id,created_at_utc,model_configuration_id,model_configuration,reported_model_id,template_id,template_version,status," +
                                    "warnings,must_include_omissions,edit_distance,time_to_first_token_ms,duration_ms,prompt_tokens,completion_tokens," +
                                    "rejection_reason,review_outcome,review_reason");
        foreach (var r in await RowsAsync(filter, ct))
        {
            await writer.WriteLineAsync(string.Join(',',
                r.DraftId.ToString(),
                r.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                r.ModelConfigurationId?.ToString() ?? "",
                AuditQuery.Csv(r.ModelConfigurationName), AuditQuery.Csv(r.ReportedModelId), AuditQuery.Csv(r.TemplateId),
                r.TemplateVersion.ToString(CultureInfo.InvariantCulture), r.Status.ToString(),
                r.WarningCount.ToString(CultureInfo.InvariantCulture), r.MustIncludeOmissionCount.ToString(CultureInfo.InvariantCulture),
                r.EditDistance?.ToString("0.####", CultureInfo.InvariantCulture) ?? "",
                Number(r.TimeToFirstTokenMs), Number(r.DurationMs), Number(r.PromptTokens), Number(r.CompletionTokens),
                AuditQuery.Csv(r.RejectionReason),
                r.ReviewApproved is null ? "" : r.ReviewApproved.Value ? "approved" : "returned",
                AuditQuery.Csv(r.ReviewReason)));
        }
    }

    private static string Number(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "";

    /// <summary>Parses the export's query string (same names the dashboard's link writes).</summary>
    public static QualityFilter? ParseFilter(DateTimeOffset? from, DateTimeOffset? to, Guid? configuration, string? template, int? version) =>
        from is null || to is null || to <= from ? null : new QualityFilter(from.Value, to.Value, configuration, string.IsNullOrWhiteSpace(template) ? null : template, version);

    public static string ExportQuery(QualityFilter f)
    {
        var parts = new List<string>
        {
            "from=" + Uri.EscapeDataString(f.From.ToString("O", CultureInfo.InvariantCulture)),
            "to=" + Uri.EscapeDataString(f.To.ToString("O", CultureInfo.InvariantCulture)),
        };
        if (f.ModelConfigurationId is { } c) parts.Add("configuration=" + c);
        if (f.TemplateId is { } t) parts.Add("template=" + Uri.EscapeDataString(t));
        if (f.TemplateVersion is { } v) parts.Add("version=" + v.ToString(CultureInfo.InvariantCulture));
        return string.Join('&', parts);
    }
}

using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Review;

/// <summary>
/// The review queue's reads: a filtered, sorted page after a cursor, and counts per status. Keyset paging on the
/// (Status, ClinicianDecisionAt, Id) index keeps a deep page as cheap as the first.
/// </summary>
public sealed class ReviewQueueQuery(IDbContextFactory<AppDbContext> dbFactory)
{
    public const int MaxPageSize = 100;

    public async Task<QueuePage> GetPageAsync(ReviewQueueFilter filter, QueueCursor? after, int pageSize, CancellationToken ct)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await BuildQuery(db, filter, after)
            .Take(pageSize + 1)
            .Select(d => new QueueRow(d.Id, d.PatientId, d.PatientLabel, d.ClinicianDecisionById, d.ClinicianDecisionByName,
                d.ClinicianDecisionAt!.Value, d.DrafterName, d.IsAiGenerated, d.ModelId, d.TemplateId, d.TemplateVersion,
                d.EditDistance, d.WarningCount, d.Status))
            .ToListAsync(ct);

        QueueCursor? next = null;
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(pageSize);
            next = new QueueCursor(rows[^1].SignedAt, rows[^1].Id);
        }
        return new QueuePage(rows, next);
    }

    /// <summary>The query a page runs (exposed for SQL translation tests and benchmarks).</summary>
    public static IQueryable<Draft> BuildQuery(AppDbContext db, ReviewQueueFilter filter, QueueCursor? after)
    {
        var query = db.Drafts.AsNoTracking();
        query = filter.View switch
        {
            QueueView.Approved => query.Where(d => d.Status == DraftStatus.Approved),
            QueueView.Returned => query.Where(d => d.Status == DraftStatus.Returned),
            QueueView.AllSigned => query.Where(d => d.Status == DraftStatus.Signed || d.Status == DraftStatus.Approved || d.Status == DraftStatus.Returned),
            _ => query.Where(d => d.Status == DraftStatus.Signed),
        };
        query = query.Where(d => d.ClinicianDecisionAt != null);

        if (!string.IsNullOrWhiteSpace(filter.ClinicianId)) query = query.Where(d => d.ClinicianDecisionById == filter.ClinicianId);
        if (!string.IsNullOrWhiteSpace(filter.Patient))
        {
            var patient = filter.Patient.Trim();
            query = query.Where(d => d.PatientId == patient || d.PatientLabel.Contains(patient));
        }
        if (!string.IsNullOrWhiteSpace(filter.ModelId)) query = query.Where(d => d.ModelId == filter.ModelId);
        if (!string.IsNullOrWhiteSpace(filter.TemplateId)) query = query.Where(d => d.TemplateId == filter.TemplateId);
        if (filter.TemplateVersion is { } version) query = query.Where(d => d.TemplateVersion == version);
        if (filter.SignedFrom is { } from) query = query.Where(d => d.ClinicianDecisionAt >= from);
        if (filter.SignedTo is { } to) query = query.Where(d => d.ClinicianDecisionAt < to);
        if (filter.HasWarnings is true) query = query.Where(d => d.WarningCount > 0);
        if (filter.HasWarnings is false) query = query.Where(d => d.WarningCount == 0);

        if (filter.Sort == QueueSort.NewestFirst)
        {
            if (after is not null)
            {
                query = query.Where(d => d.ClinicianDecisionAt < after.SignedAt
                                         || (d.ClinicianDecisionAt == after.SignedAt && d.Id.CompareTo(after.Id) < 0));
            }
            return query.OrderByDescending(d => d.ClinicianDecisionAt).ThenByDescending(d => d.Id);
        }

        if (after is not null)
        {
            query = query.Where(d => d.ClinicianDecisionAt > after.SignedAt
                                     || (d.ClinicianDecisionAt == after.SignedAt && d.Id.CompareTo(after.Id) > 0));
        }
        return query.OrderBy(d => d.ClinicianDecisionAt).ThenBy(d => d.Id);
    }

    /// <summary>How many drafts are in each status (the queue's tabs).</summary>
    /// <summary>Write-back states of the drafts on one page (a separate small query: the page query stays as benchmarked).</summary>
    public async Task<IReadOnlyDictionary<Guid, WriteState>> WriteStatesAsync(IReadOnlyCollection<Guid> draftIds, CancellationToken ct)
    {
        if (draftIds.Count == 0) return new Dictionary<Guid, WriteState>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.FhirWrites.AsNoTracking()
            .Where(w => draftIds.Contains(w.DraftId))
            .ToDictionaryAsync(w => w.DraftId,
                w => new WriteState(w.Status, w.Status == FhirWriteStatus.Written ? w.DocumentReference : w.LastError), ct);
    }

    /// <summary>Drafts on a page whose model configuration has no completed model card (marked in the queue).</summary>
    public async Task<IReadOnlySet<Guid>> IncompleteModelCardsAsync(IReadOnlyCollection<Guid> draftIds, CancellationToken ct)
    {
        if (draftIds.Count == 0) return new HashSet<Guid>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var configurations = await db.Drafts.AsNoTracking()
            .Where(d => draftIds.Contains(d.Id) && d.ModelConfigurationId != null)
            .Select(d => new { d.Id, ConfigurationId = d.ModelConfigurationId!.Value })
            .ToListAsync(ct);
        var configurationIds = configurations.Select(c => c.ConfigurationId).Distinct().ToList();
        var cards = await db.ModelCards.AsNoTracking().Where(c => configurationIds.Contains(c.ModelConfigurationId)).ToListAsync(ct);
        var complete = cards.Where(ModelCardFields.IsComplete).Select(c => c.ModelConfigurationId).ToHashSet();
        return configurations.Where(c => !complete.Contains(c.ConfigurationId)).Select(c => c.Id).ToHashSet();
    }

    public async Task<IReadOnlyDictionary<DraftStatus, int>> CountsAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Drafts.AsNoTracking()
            .GroupBy(d => d.Status)
            .Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count, ct);
    }

    /// <summary>Clinicians who have signed something, for the filter list.</summary>
    public async Task<IReadOnlyList<(string Id, string Name)>> SignersAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var signers = await db.Drafts.AsNoTracking()
            .Where(d => d.ClinicianDecisionById != null && d.Status != DraftStatus.Rejected)
            .Select(d => new { Id = d.ClinicianDecisionById!, Name = d.ClinicianDecisionByName ?? "" })
            .Distinct()
            .ToListAsync(ct);
        return signers.OrderBy(s => s.Name).Select(s => (s.Id, s.Name)).ToList();
    }
}

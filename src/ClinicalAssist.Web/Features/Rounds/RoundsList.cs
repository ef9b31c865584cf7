using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>
/// A clinician's rounds list: the census of the configured record source (Server: <c>Fhir:Census</c>; Demo and
/// Directory: all their patients) plus patients added by hand, minus those taken off by hand; in bed order
/// (location, natural order: "Bed 2" before "Bed 10"), then name.
/// </summary>
public sealed class RoundsList(IPatientRecordSource records, IDbContextFactory<AppDbContext> dbFactory, AuditLog audit, TimeProvider time)
{
    public string SourceName => records.Name;

    public async Task<IReadOnlyList<(PatientSummary Patient, bool AddedByHand)>> GetPatientsAsync(string clinicianId, CancellationToken cancellationToken)
    {
        var census = records is ServerRecordSource
            ? await records.GetCensusAsync(cancellationToken)
            : await records.SearchPatientsAsync(null, cancellationToken);
        List<RoundsListEntry> entries;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            entries = await db.RoundsListEntries.AsNoTracking().Where(e => e.ClinicianId == clinicianId).ToListAsync(cancellationToken);
        }
        var removed = entries.Where(e => !e.Included).Select(e => e.PatientId).ToHashSet(StringComparer.Ordinal);
        var result = census.Where(p => !removed.Contains(p.Id)).Select(p => (p, false)).ToList();
        var present = result.Select(r => r.p.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var added in entries.Where(e => e.Included && !present.Contains(e.PatientId)).OrderBy(e => e.ChangedAt))
        {
            var record = await records.GetRecordAsync(added.PatientId, cancellationToken);
            if (record is null) continue;
            result.Add((PatientSummaries.Create(record.Patient, record.Resources, time.GetUtcNow()), true));
        }
        return BedOrder.Sort(result, r => r.p);
    }

    /// <summary>The list with each patient's latest draft and the item of the clinician's latest batch.</summary>
    public async Task<IReadOnlyList<RoundsRow>> GetRowsAsync(string clinicianId, CancellationToken cancellationToken)
    {
        var patients = await GetPatientsAsync(clinicianId, cancellationToken);
        var ids = patients.Select(p => p.Patient.Id).ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var drafts = await LatestDraftsAsync(db, ids, cancellationToken);
        var batch = await db.RoundsBatches.AsNoTracking().Where(b => b.ClinicianId == clinicianId)
            .OrderByDescending(b => b.CreatedAt).Select(b => new { b.Id, b.Status }).FirstOrDefaultAsync(cancellationToken);
        var items = batch is null ? [] : await db.RoundsBatchItems.AsNoTracking().Where(i => i.BatchId == batch.Id).ToListAsync(cancellationToken);
        var itemByPatient = items.GroupBy(i => i.PatientId).ToDictionary(g => g.Key, g => g.OrderByDescending(i => i.Position).First(), StringComparer.Ordinal);

        return patients.Select(p =>
        {
            drafts.TryGetValue(p.Patient.Id, out var d);
            itemByPatient.TryGetValue(p.Patient.Id, out var item);
            return new RoundsRow(p.Patient, p.AddedByHand, StateOf(d?.Status, d?.WarningCount ?? 0, d?.MustIncludeOmissionCount ?? 0, item?.Status),
                d?.Id, d?.Status, d?.WarningCount ?? 0, d?.MustIncludeOmissionCount ?? 0, d?.CreatedAt, item?.Id, item?.Status, item?.Message,
                d?.FailureRetryable ?? false);
        }).ToList();
    }

    internal sealed record DraftHead(Guid Id, string PatientId, DraftStatus Status, int WarningCount, int MustIncludeOmissionCount, DateTimeOffset CreatedAt,
        bool FailureRetryable);

    internal static async Task<Dictionary<string, DraftHead>> LatestDraftsAsync(AppDbContext db, IReadOnlyList<string> patientIds, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, DraftHead>(StringComparer.Ordinal);
        foreach (var chunk in patientIds.Chunk(200))
        {
            var heads = await db.Drafts.AsNoTracking().Where(d => chunk.Contains(d.PatientId))
                .Select(d => new DraftHead(d.Id, d.PatientId, d.Status, d.WarningCount, d.MustIncludeOmissionCount, d.CreatedAt, d.FailureRetryable))
                .ToListAsync(cancellationToken);
            foreach (var g in heads.GroupBy(h => h.PatientId)) result[g.Key] = g.OrderByDescending(h => h.CreatedAt).First();
        }
        return result;
    }

    /// <summary>The row's state: a batch item waiting or running is "preparing", a failed one "needs attention";
    /// otherwise the latest draft decides (warnings or not-mentioned items, a failure, a rejection or a reviewer's
    /// return all need attention).</summary>
    public static RoundsDraftState StateOf(DraftStatus? draft, int warnings, int notMentioned, RoundsItemStatus? item) => item switch
    {
        RoundsItemStatus.Pending or RoundsItemStatus.Running => RoundsDraftState.Preparing,
        RoundsItemStatus.Failed => RoundsDraftState.NeedsAttention,
        _ => draft switch
        {
            null => RoundsDraftState.None,
            DraftStatus.Generating => RoundsDraftState.Preparing,
            DraftStatus.Draft => warnings > 0 || notMentioned > 0 ? RoundsDraftState.NeedsAttention : RoundsDraftState.Ready,
            DraftStatus.Signed or DraftStatus.Approved => RoundsDraftState.Signed,
            _ => RoundsDraftState.NeedsAttention,
        },
    };

    /// <summary>Patients of the record source not on the list, for "Add patient".</summary>
    public async Task<IReadOnlyList<PatientSummary>> SearchToAddAsync(string clinicianId, string query, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(query)) return [];
        var onList = (await GetPatientsAsync(clinicianId, cancellationToken)).Select(p => p.Patient.Id).ToHashSet(StringComparer.Ordinal);
        return (await records.SearchPatientsAsync(query, cancellationToken)).Where(p => !onList.Contains(p.Id)).Take(10).ToList();
    }

    public Task AddAsync(Actor clinician, string patientId, CancellationToken cancellationToken) =>
        SetAsync(clinician, patientId, included: true, AuditActions.RoundsPatientAdded, cancellationToken);

    public Task RemoveAsync(Actor clinician, string patientId, CancellationToken cancellationToken) =>
        SetAsync(clinician, patientId, included: false, AuditActions.RoundsPatientRemoved, cancellationToken);

    /// <summary>Undoes <see cref="RemoveAsync"/>: the patient is back as they were — a census patient as on the census
    /// (the entry is removed), a patient added by hand as added by hand.</summary>
    public async Task UndoRemoveAsync(Actor clinician, string patientId, bool wasAddedByHand, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clinician);
        ArgumentException.ThrowIfNullOrEmpty(patientId);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entry = await db.RoundsListEntries.SingleOrDefaultAsync(e => e.ClinicianId == clinician.Id && e.PatientId == patientId, cancellationToken);
        if (entry is null || entry.Included) return;
        if (wasAddedByHand)
        {
            entry.Included = true;
            entry.ChangedAt = time.GetUtcNow();
        }
        else
        {
            db.RoundsListEntries.Remove(entry);
        }
        db.AuditEvents.Add(audit.Create(AuditActions.RoundsPatientAdded, clinician, patientId, details: "undo of removal"));
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task SetAsync(Actor clinician, string patientId, bool included, string action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clinician);
        ArgumentException.ThrowIfNullOrEmpty(patientId);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entry = await db.RoundsListEntries.SingleOrDefaultAsync(e => e.ClinicianId == clinician.Id && e.PatientId == patientId, cancellationToken);
        if (entry is null)
        {
            entry = new RoundsListEntry { Id = Guid.NewGuid(), ClinicianId = clinician.Id, PatientId = patientId };
            db.RoundsListEntries.Add(entry);
        }
        entry.Included = included;
        entry.ChangedAt = time.GetUtcNow();
        db.AuditEvents.Add(audit.Create(action, clinician, patientId));
        await db.SaveChangesAsync(cancellationToken);
    }
}

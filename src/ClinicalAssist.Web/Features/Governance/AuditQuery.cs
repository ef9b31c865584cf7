using System.Globalization;
using System.Text;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>Reads the audit trail newest first with keyset paging on Id, and exports it as CSV.</summary>
public sealed class AuditQuery(IDbContextFactory<AppDbContext> dbFactory)
{
    public async Task<(IReadOnlyList<AuditEvent> Rows, long? NextBeforeId)> GetPageAsync(AuditFilter filter, long? beforeId, int pageSize, CancellationToken ct)
    {
        pageSize = Math.Clamp(pageSize, 1, 200);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var query = Apply(db.AuditEvents.AsNoTracking(), filter);
        if (beforeId is { } before) query = query.Where(a => a.Id < before);
        var rows = await query.OrderByDescending(a => a.Id).Take(pageSize + 1).ToListAsync(ct);
        long? next = null;
        if (rows.Count > pageSize)
        {
            rows.RemoveAt(pageSize);
            next = rows[^1].Id;
        }
        return (rows, next);
    }

    /// <summary>Streams matching events as RFC 4180 CSV (newest first), with formula-injection protection.</summary>
    public async Task WriteCsvAsync(AuditFilter filter, TextWriter writer, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await writer.WriteLineAsync("id,at_utc,action,outcome,user_id,user_name,patient_id,draft_id,details");
        await foreach (var a in Apply(db.AuditEvents.AsNoTracking(), filter).OrderByDescending(a => a.Id).AsAsyncEnumerable().WithCancellation(ct))
        {
            await writer.WriteLineAsync(string.Join(',',
                a.Id.ToString(CultureInfo.InvariantCulture),
                a.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
                Csv(a.Action), Csv(a.Outcome), Csv(a.UserId), Csv(a.UserName), Csv(a.PatientId),
                a.DraftId?.ToString() ?? "", Csv(a.Details)));
        }
    }

    public async Task<IReadOnlyList<string>> ActionsAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.AuditEvents.AsNoTracking().Select(a => a.Action).Distinct().OrderBy(a => a).ToListAsync(ct);
    }

    private static IQueryable<AuditEvent> Apply(IQueryable<AuditEvent> query, AuditFilter filter)
    {
        if (!string.IsNullOrWhiteSpace(filter.User))
        {
            var user = filter.User.Trim();
            query = query.Where(a => a.UserId == user || (a.UserName != null && a.UserName.Contains(user)));
        }
        if (!string.IsNullOrWhiteSpace(filter.PatientId)) query = query.Where(a => a.PatientId == filter.PatientId.Trim());
        if (!string.IsNullOrWhiteSpace(filter.Action))
        {
            // A family is written "draft.*" (as docs/audit.md and the viewer say) or "draft."; anything else is one action.
            var action = filter.Action.Trim();
            if (action.EndsWith(".*", StringComparison.Ordinal)) action = action[..^1];
            query = action.EndsWith('.') ? query.Where(a => a.Action.StartsWith(action)) : query.Where(a => a.Action == action);
        }
        if (filter.From is { } from) query = query.Where(a => a.At >= from);
        if (filter.To is { } to) query = query.Where(a => a.At < to);
        return query;
    }

    /// <summary>Quotes a CSV field; a leading =, +, - or @ is neutralised so a spreadsheet never runs it as a formula.</summary>
    internal static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r') value = "'" + value;
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}

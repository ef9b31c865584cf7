using System.Security.Claims;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>Append-only audit trail (HIPAA 164.312(b), EU AI Act Art. 12). Holds ids and codes, never note text.</summary>
public sealed class AuditLog(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
{
    public async Task WriteAsync(string action, Actor? actor, string? patientId = null, Guid? draftId = null,
        string outcome = "success", string? details = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.AuditEvents.Add(Create(action, actor, patientId, draftId, outcome, details));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>An event to add to a context that also saves the change it records (one transaction).</summary>
    public AuditEvent Create(string action, Actor? actor, string? patientId = null, Guid? draftId = null,
        string outcome = "success", string? details = null) => new()
    {
        At = time.GetUtcNow(),
        Action = action,
        UserId = actor?.Id,
        UserName = actor?.Name,
        PatientId = patientId,
        DraftId = draftId,
        Outcome = outcome,
        Details = details is { Length: > 4000 } ? details[..4000] : details,
    };
}

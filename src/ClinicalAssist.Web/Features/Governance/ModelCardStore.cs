using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>Reads and saves model cards (one per model configuration); saving is audited.</summary>
public sealed class ModelCardStore(IDbContextFactory<AppDbContext> dbFactory, AuditLog audit, TimeProvider time)
{
    public async Task<(ModelConfiguration? Configuration, ModelCard? Card)> GetAsync(Guid configurationId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var config = await db.ModelConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == configurationId, ct);
        var card = await db.ModelCards.AsNoTracking().SingleOrDefaultAsync(c => c.ModelConfigurationId == configurationId, ct);
        return (config, card);
    }

    /// <summary>Completeness per configuration id (a configuration without a card is incomplete).</summary>
    public async Task<IReadOnlyDictionary<Guid, bool>> CompletenessAsync(IEnumerable<Guid> configurationIds, CancellationToken ct)
    {
        var ids = configurationIds.Distinct().ToList();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var cards = await db.ModelCards.AsNoTracking().Where(c => ids.Contains(c.ModelConfigurationId)).ToListAsync(ct);
        return ids.ToDictionary(id => id, id => ModelCardFields.IsComplete(cards.SingleOrDefault(c => c.ModelConfigurationId == id)));
    }

    /// <summary>Saves the edited values. <paramref name="expectedVersion"/> is the version the editor loaded
    /// (null for a new card); a card changed by someone else since is refused, not overwritten.</summary>
    public async Task<(bool Succeeded, string Message)> SaveAsync(Guid configurationId, ModelCard edited, Guid? expectedVersion, Actor actor, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, Roles.Admin, AuditActions.ModelCardSaved, time.GetUtcNow(), ct) is { } refusal)
        {
            return (false, refusal);
        }
        if (!await db.ModelConfigurations.AnyAsync(c => c.Id == configurationId, ct)) return (false, "This model configuration no longer exists.");
        var card = await db.ModelCards.SingleOrDefaultAsync(c => c.ModelConfigurationId == configurationId, ct);
        if (card is null)
        {
            if (expectedVersion is not null) return (false, "The card was removed meanwhile. Reload the page.");
            card = new ModelCard { Id = Guid.NewGuid(), ModelConfigurationId = configurationId };
            db.ModelCards.Add(card);
        }
        else if (card.Version != expectedVersion)
        {
            return (false, "Someone else saved this card meanwhile. Reload the page to see their changes; yours were not saved.");
        }

        foreach (var field in ModelCardFields.All)
        {
            var value = field.Get(edited)?.Trim();
            field.Set(card, string.IsNullOrEmpty(value) ? null : value);
        }
        card.UpdatedAt = time.GetUtcNow();
        card.UpdatedByName = actor.Name;
        var missing = ModelCardFields.Missing(card).Count;
        db.AuditEvents.Add(audit.Create(AuditActions.ModelCardSaved, actor,
            details: $"configuration={configurationId} complete={missing == 0} missing_fields={missing}"));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return (false, "Someone else saved this card meanwhile. Reload the page to see their changes; yours were not saved.");
        }
        return (true, missing == 0 ? "Model card saved: complete." : $"Model card saved; {missing} required field(s) still empty.");
    }
}

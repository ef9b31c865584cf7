using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The clinician's edit of an unsigned draft, saved to the database as they type (<see cref="SaveDelay"/> after the
/// last keystroke) and restored when they come back to the draft: after Next/Previous on rounds, a crash or restart of
/// the app, or the idle sign-out. Only the draft's owner's edit of a draft still unsigned is restored; signing or
/// rejecting the draft removes it (<see cref="Review.DraftWorkflow"/>, in the decision's transaction).
/// </summary>
public sealed class DraftEdits(IDbContextFactory<AppDbContext> dbFactory, TimeProvider time)
{
    /// <summary>How long after the last keystroke the edit is saved.</summary>
    public static readonly TimeSpan SaveDelay = TimeSpan.FromSeconds(1);

    /// <summary>Saves (inserts or replaces) <paramref name="userId"/>'s edit of the draft; returns when it was saved.</summary>
    public async Task<DateTimeOffset> SaveAsync(Guid draftId, Guid draftVersion, string userId, string text, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        ArgumentNullException.ThrowIfNull(text);
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var edit = await db.DraftEdits.SingleOrDefaultAsync(e => e.DraftId == draftId && e.UserId == userId, cancellationToken);
        if (edit is null)
        {
            edit = new DraftEdit { Id = Guid.NewGuid(), DraftId = draftId, UserId = userId };
            db.DraftEdits.Add(edit);
        }
        edit.DraftVersion = draftVersion;
        edit.Text = text;
        edit.SavedAt = now;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException) when (db.Entry(edit).State == EntityState.Added)
        {
            // Another tab of the same clinician saved the first copy at the same moment: replace it.
            await using var again = await dbFactory.CreateDbContextAsync(cancellationToken);
            await again.DraftEdits.Where(e => e.DraftId == draftId && e.UserId == userId)
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.Text, text).SetProperty(e => e.DraftVersion, draftVersion).SetProperty(e => e.SavedAt, now), cancellationToken);
        }
        return now;
    }

    /// <summary>The saved edit to restore for <paramref name="userId"/> on this draft: only while the draft is unsigned
    /// and theirs (the owner edits; anyone else takes it over first), and only when it differs from the draft's text.</summary>
    public async Task<DraftEdit?> FindAsync(Draft draft, string? userId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (userId is null || draft.Status != DraftStatus.Draft || draft.OwnerId != userId) return null;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var edit = await db.DraftEdits.AsNoTracking().SingleOrDefaultAsync(e => e.DraftId == draft.Id && e.UserId == userId, cancellationToken);
        return edit is null || edit.Text == draft.GeneratedText ? null : edit;
    }

    /// <summary>Removes <paramref name="userId"/>'s saved edit of the draft (the clinician chose to start again from
    /// the draft's text).</summary>
    public async Task DiscardAsync(Guid draftId, string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.DraftEdits.Where(e => e.DraftId == draftId && e.UserId == userId).ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Marks every saved edit of the draft for removal in <paramref name="db"/>'s next save (the draft was
    /// signed or rejected: the decision's text is the record now).</summary>
    public static async Task RemoveForAsync(AppDbContext db, Guid draftId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        db.DraftEdits.RemoveRange(await db.DraftEdits.Where(e => e.DraftId == draftId).ToListAsync(cancellationToken));
    }
}

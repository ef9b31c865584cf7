using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Prompt templates as versioned database records (<see cref="PromptTemplateVersion"/>), seeded from the markdown
/// files embedded in the product. Exactly one version per template is active; drafts store the id and version
/// they used, and <see cref="GetAsync"/> returns that exact body again (reproducibility).
/// </summary>
public sealed class PromptTemplateStore(IDbContextFactory<AppDbContext> dbFactory, PromptBuilder builder)
{
    /// <summary>Author of the versions seeded from the embedded files.</summary>
    public const string SeedAuthor = "ClinicalAssist (embedded template)";

    /// <summary>The active version of a template; the embedded default when the database has none.</summary>
    public async Task<PromptTemplate> GetActiveAsync(string templateId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var active = await db.PromptTemplateVersions.AsNoTracking()
            .Where(t => t.TemplateId == templateId && t.IsActive)
            .OrderByDescending(t => t.Version)
            .Select(t => new PromptTemplate(t.TemplateId, t.Version, t.Body))
            .FirstOrDefaultAsync(cancellationToken);
        return active ?? builder.DefaultTemplate;
    }

    /// <summary>One exact version (stored, else embedded), or null.</summary>
    public async Task<PromptTemplate?> GetAsync(string templateId, int version, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var stored = await db.PromptTemplateVersions.AsNoTracking()
            .Where(t => t.TemplateId == templateId && t.Version == version)
            .Select(t => new PromptTemplate(t.TemplateId, t.Version, t.Body))
            .FirstOrDefaultAsync(cancellationToken);
        return stored ?? PromptBuilder.EmbeddedTemplates().FirstOrDefault(t => t.TemplateId == templateId && t.Version == version);
    }

    public static string Hash(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    /// <summary>
    /// Adds every embedded template version missing from the database. The newest embedded version becomes active
    /// when a template has no active version, or when the active one is an older seeded version (an admin's own
    /// choice of version is left alone).
    /// </summary>
    public static async Task SeedAsync(AppDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        var existing = await db.PromptTemplateVersions.ToListAsync(cancellationToken);
        var embedded = PromptBuilder.EmbeddedTemplates();
        foreach (var group in embedded.GroupBy(t => t.TemplateId, StringComparer.Ordinal))
        {
            foreach (var t in group)
            {
                if (existing.Any(e => e.TemplateId == t.TemplateId && e.Version == t.Version)) continue;
                var row = new PromptTemplateVersion
                {
                    Id = Guid.NewGuid(),
                    TemplateId = t.TemplateId,
                    Version = t.Version,
                    Body = t.Body,
                    ContentHash = Hash(t.Body),
                    ChangeNote = "Seeded from the template file shipped with the product.",
                    AuthorName = SeedAuthor,
                    CreatedAt = time.GetUtcNow(),
                };
                db.PromptTemplateVersions.Add(row);
                existing.Add(row);
            }

            var newest = group.Max(t => t.Version);
            var rows = existing.Where(e => e.TemplateId == group.Key).ToList();
            var active = rows.Where(r => r.IsActive).ToList();
            if (active.Count == 0 || active.All(a => a.AuthorName == SeedAuthor && a.AuthorId is null && a.Version < newest))
            {
                foreach (var r in rows) r.IsActive = r.Version == newest;
            }
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}

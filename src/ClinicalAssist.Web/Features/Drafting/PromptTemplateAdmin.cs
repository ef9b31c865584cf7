using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// What the admin page /admin/templates does: list versions, add a version (validated: SYSTEM and USER parts and
/// one {{context}} placeholder), activate a version (exactly one active per template), and dry-run a version on a
/// generated demo patient (never a real record). Every change writes an audit event.
/// </summary>
public sealed class PromptTemplateAdmin(
    IDbContextFactory<AppDbContext> dbFactory,
    PromptBuilder builder,
    DraftGenerator generator,
    AuditLog audit,
    TimeProvider time,
    ILoggerFactory loggerFactory)
{
    /// <summary>Generated demo patients only: a dry run never reads a real record.</summary>
    private readonly Lazy<DemoRecordSource> _demoSource = new(() => new DemoRecordSource(Options.Create(new FhirOptions { DemoPatientCount = 3 }), time));

    public async Task<IReadOnlyList<PromptTemplateVersion>> VersionsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.PromptTemplateVersions.AsNoTracking()
            .OrderBy(t => t.TemplateId).ThenByDescending(t => t.Version)
            .ToListAsync(cancellationToken);
    }

    /// <summary>Problems with a template body, as messages an admin can act on (empty when it is usable).</summary>
    public static IReadOnlyList<string> Validate(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return ["The template is empty."];
        try
        {
            PromptBuilder.ParseTemplate(body);
            return [];
        }
        catch (InvalidOperationException ex)
        {
            return [ex.Message];
        }
    }

    public async Task<TemplateChangeResult> AddVersionAsync(string templateId, string body, string? changeNote, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var problems = Validate(body);
        if (problems.Count > 0) return new TemplateChangeResult(false, string.Join(" ", problems));
        var normalised = body.Replace("\r\n", "\n", StringComparison.Ordinal);

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, Roles.Admin, PromptTemplateAuditActions.VersionAdded, time.GetUtcNow(), cancellationToken) is { } refusal)
        {
            return new TemplateChangeResult(false, refusal);
        }
        var versions = await db.PromptTemplateVersions.Where(t => t.TemplateId == templateId).ToListAsync(cancellationToken);
        var hash = PromptTemplateStore.Hash(normalised);
        if (versions.FirstOrDefault(v => v.ContentHash == hash) is { } same)
            return new TemplateChangeResult(false, $"This text is identical to version {same.Version}; nothing was added.");

        var version = versions.Count == 0 ? 1 : versions.Max(v => v.Version) + 1;
        db.PromptTemplateVersions.Add(new PromptTemplateVersion
        {
            Id = Guid.NewGuid(),
            TemplateId = templateId,
            Version = version,
            Body = normalised,
            ContentHash = hash,
            ChangeNote = string.IsNullOrWhiteSpace(changeNote) ? null : changeNote.Trim(),
            AuthorId = actor.Id,
            AuthorName = actor.Name,
            CreatedAt = time.GetUtcNow(),
        });
        db.AuditEvents.Add(audit.Create(PromptTemplateAuditActions.VersionAdded, actor,
            details: $"template={templateId} version={version} sha256={hash}"));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return new TemplateChangeResult(false, "Another version was added at the same time. Reload and try again.");
        }
        return new TemplateChangeResult(true, $"Version {version} added (not active yet).", version);
    }

    public async Task<TemplateChangeResult> ActivateAsync(string templateId, int version, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, Roles.Admin, PromptTemplateAuditActions.VersionActivated, time.GetUtcNow(), cancellationToken) is { } refusal)
        {
            return new TemplateChangeResult(false, refusal);
        }
        var versions = await db.PromptTemplateVersions.Where(t => t.TemplateId == templateId).ToListAsync(cancellationToken);
        var target = versions.FirstOrDefault(v => v.Version == version);
        if (target is null) return new TemplateChangeResult(false, $"Version {version} does not exist.");
        if (target.IsActive) return new TemplateChangeResult(true, $"Version {version} is already active.", version);
        var previous = versions.FirstOrDefault(v => v.IsActive)?.Version;
        foreach (var v in versions) v.IsActive = v.Version == version;
        db.AuditEvents.Add(audit.Create(PromptTemplateAuditActions.VersionActivated, actor,
            details: $"template={templateId} version={version} previous={previous?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}"));
        await db.SaveChangesAsync(cancellationToken);
        return new TemplateChangeResult(true, $"Version {version} is now used for new drafts.", version);
    }

    /// <summary>Renders <paramref name="body"/> for the first generated demo patient with the active configuration's
    /// budget and tokenizer. No model is called.</summary>
    public async Task<TemplateDryRun> DryRunAsync(string templateId, int version, string body, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var source = _demoSource.Value;
        var patients = await source.SearchPatientsAsync(null, cancellationToken);
        var context = await new PatientContextBuilder(source, time, loggerFactory.CreateLogger<PatientContextBuilder>()).BuildAsync(patients[0].Id, cancellationToken)
                      ?? throw new InvalidOperationException("The demo patient could not be generated.");
        ModelConfiguration? configuration = null;
        try
        {
            configuration = (await generator.ActiveAsync(cancellationToken)).Configuration;
        }
        catch (InvalidOperationException)
        {
            // No usable configuration: the start-up settings give the budget.
        }
        var settings = generator.SettingsFor(configuration);
        var prompt = builder.Build(context, CitationIndex.Build(context), new PromptTemplate(templateId, version, body), settings);
        await audit.WriteAsync(PromptTemplateAuditActions.DryRun, actor,
            details: $"template={templateId} version={version} tokens={prompt.Tokens} budget={settings.TokenBudget}", cancellationToken: cancellationToken);
        return new TemplateDryRun("Generated demo patient (not a real record)", prompt, settings.TokenBudget, settings.Tokenizer);
    }
}

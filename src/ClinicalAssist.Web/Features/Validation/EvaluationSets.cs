using System.Text.Json;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>
/// Evaluation sets: made from the generated demo ward or from signed drafts, edited (cases included or excluded) until
/// frozen, then never changed — a change is a new version. A case keeps the de-identified context snapshot (the
/// prompt's {{context}}: age and sex only, the patient's identifiers redacted), the keys it carries, the must-include
/// items the product's safety net finds in the record (demo ward; a signed draft when its record is unchanged since),
/// the excerpts of notes the injection detector flags, and for a signed draft the signed text as reference.
/// </summary>
public sealed partial class EvaluationSets(
    IDbContextFactory<AppDbContext> dbFactory,
    IServiceScopeFactory scopes,
    PromptBuilder prompts,
    PromptTemplateStore templates,
    AuditLog audit,
    IOptions<ValidationOptions> options,
    TimeProvider time,
    ILoggerFactory loggerFactory)
{
    public const string DemoWardName = "Demo ward";
    public const string SignedDraftsName = "Signed drafts";

    /// <summary>The set the activation gate reads: the newest frozen one.</summary>
    public static IQueryable<EvaluationSet> Current(AppDbContext db) =>
        db.EvaluationSets.AsNoTracking().Where(s => s.FrozenAt != null).OrderByDescending(s => s.FrozenAt).ThenByDescending(s => s.Version);

    /// <summary>A new (not frozen) set of the generated demo ward's patients — never a real record.</summary>
    public async Task<SetChangeResult> CreateFromDemoWardAsync(Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using (var check = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            if (await AuthorityCheck.RefusalAsync(check, audit, actor, Roles.Admin, ValidationAuditActions.SetCreated, time.GetUtcNow(), cancellationToken) is { } refusal)
                return new(false, refusal);
        }
        var source = new DemoRecordSource(Options.Create(new FhirOptions { DemoPatientCount = options.Value.DemoWardCases }), time);
        var builder = new PatientContextBuilder(source, time, loggerFactory.CreateLogger<PatientContextBuilder>());
        var template = await templates.GetActiveAsync(PromptBuilder.TemplateId, cancellationToken);
        var cases = new List<EvaluationCase>();
        foreach (var patient in await source.SearchPatientsAsync(null, cancellationToken))
        {
            var context = await builder.BuildAsync(patient.Id, cancellationToken);
            if (context is null) continue;
            cases.Add(CaseFrom(context, template, EvaluationCaseSource.DemoWard, null, null, patient.Location));
        }
        return await SaveNewSetAsync(DemoWardName, cases, actor, "source=demo-ward", cancellationToken);
    }

    /// <summary>A new (not frozen) set of signed drafts, newest first: the stored snapshot is the input, the signed
    /// text the reference. Drafts whose snapshot was made with identifier minimisation off are left out.</summary>
    public async Task<SetChangeResult> CreateFromSignedDraftsAsync(Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, Roles.Admin, ValidationAuditActions.SetCreated, time.GetUtcNow(), cancellationToken) is { } refusal)
            return new(false, refusal);
        var drafts = await db.Drafts.AsNoTracking()
            .Where(d => (d.Status == DraftStatus.Signed || d.Status == DraftStatus.Approved) && d.SignedText != null && d.PromptContextSnapshot != null)
            .OrderByDescending(d => d.ClinicianDecisionAt)
            .Take(options.Value.MaxSignedDraftCases)
            .Select(d => new { d.Id, d.PatientId, d.PromptContextSnapshot, d.PromptSettingsJson, d.CitationsJson, d.SignedText, d.ContextHash })
            .ToListAsync(cancellationToken);
        var cases = new List<EvaluationCase>();
        IReadOnlyList<PatientSummary> census = [];
        await using var scope = scopes.CreateAsyncScope();
        var records = scope.ServiceProvider.GetRequiredService<IPatientRecordSource>();
        try
        {
            census = await records.GetCensusAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is FhirSourceException or HttpRequestException or TaskCanceledException)
        {
            // The service of a case is then "unknown"; the case itself needs nothing from the record.
        }
        var builder = scope.ServiceProvider.GetRequiredService<PatientContextBuilder>();
        foreach (var d in drafts)
        {
            var settings = d.PromptSettingsJson is null ? PromptSettings.Default : JsonSerializer.Deserialize<PromptSettings>(d.PromptSettingsJson) ?? PromptSettings.Default;
            if (!settings.Minimise) continue; // the snapshot names the patient: never copied into a set
            var snapshot = CaseSnapshot.Parse(d.PromptContextSnapshot);
            var map = DraftText.ReadCitationMap(d.CitationsJson).Where(e => snapshot.Texts.ContainsKey(e.Key)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            // The must-include items are the safety net's on the record as it was drafted: known only while the record
            // still reads the same (same resource versions, so the same keys).
            var declared = new List<DeclaredItem>();
            try
            {
                if (await builder.BuildAsync(d.PatientId, cancellationToken) is { } context && DraftGenerator.ContextHash(DraftGenerator.SortedResources(context)) == d.ContextHash)
                    declared = MustInclude(context, CitationIndex.Build(context), snapshot);
            }
            catch (Exception ex) when (ex is FhirSourceException or HttpRequestException or TaskCanceledException)
            {
                // Not declared: the record cannot be read now.
            }
            cases.Add(new EvaluationCase
            {
                Id = Guid.NewGuid(),
                Source = EvaluationCaseSource.SignedDraft,
                SourceDraftId = d.Id,
                AgeBand = AgeBands.Of(snapshot.AgeYears),
                Sex = AgeBands.SexOf(snapshot.Sex),
                Service = AgeBands.ServiceOf(census.FirstOrDefault(p => p.Id == d.PatientId)?.Location),
                ContextSnapshot = d.PromptContextSnapshot!,
                CitationsJson = JsonSerializer.Serialize(map),
                ReferenceText = d.SignedText,
                MustIncludeJson = JsonSerializer.Serialize(declared),
                InjectionExcerptsJson = JsonSerializer.Serialize(InjectionExcerpts(snapshot)),
            });
        }
        if (cases.Count == 0) return new(false, "No signed drafts with a stored context snapshot were found. Sign some drafts first, or use the demo ward.");
        return await SaveNewSetAsync(SignedDraftsName, cases, actor, "source=signed-drafts", cancellationToken);
    }

    private EvaluationCase CaseFrom(PatientContext context, PromptTemplate template, EvaluationCaseSource source, Guid? draftId, string? reference, string? location)
    {
        var citations = CitationIndex.Build(context);
        // Always minimised: a case never carries a name, MRN or birth date.
        var prompt = prompts.Build(context, citations, template, PromptSettings.Default);
        var snapshot = CaseSnapshot.Parse(prompt.Context);
        return new EvaluationCase
        {
            Id = Guid.NewGuid(),
            Source = source,
            SourceDraftId = draftId,
            AgeBand = AgeBands.Of(context.Patient.Deceased ? null : context.Patient.AgeYears),
            Sex = AgeBands.SexOf(context.Patient.Sex),
            Service = AgeBands.ServiceOf(location),
            ContextSnapshot = prompt.Context,
            CitationsJson = JsonSerializer.Serialize(citations.Entries.Where(e => snapshot.Texts.ContainsKey(e.Key)).ToDictionary(e => e.Key, e => e.Value.ToString())),
            ReferenceText = reference,
            MustIncludeJson = JsonSerializer.Serialize(MustInclude(context, citations, snapshot)),
            InjectionExcerptsJson = JsonSerializer.Serialize(InjectionExcerpts(snapshot)),
        };
    }

    /// <summary>The safety net's must-include items of the record (everything, as for an empty draft) that the prompt carried.</summary>
    private List<DeclaredItem> MustInclude(PatientContext context, CitationIndex citations, CaseSnapshot snapshot) =>
        DraftSafetyNet.MustInclude("", context, citations, context.AssembledAt == default ? time.GetUtcNow() : context.AssembledAt)
            .Where(m => snapshot.Texts.ContainsKey(m.CitationKey))
            .Select(m => new DeclaredItem(m.Kind, m.Description, m.CitationKey))
            .ToList();

    private static List<string> InjectionExcerpts(CaseSnapshot snapshot) =>
        snapshot.Notes.Values.SelectMany(n => PromptInjectionDetector.ScanText(n)).Select(f => f.Excerpt).Distinct(StringComparer.Ordinal).ToList();

    private async Task<SetChangeResult> SaveNewSetAsync(string name, List<EvaluationCase> cases, Actor actor, string details, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            var version = (await db.EvaluationSets.Where(s => s.Name == name).MaxAsync(s => (int?)s.Version, cancellationToken) ?? 0) + 1;
            var set = new EvaluationSet { Id = Guid.NewGuid(), Name = name, Version = version, CreatedAt = time.GetUtcNow(), CreatedByName = actor.Name };
            for (var i = 0; i < cases.Count; i++)
            {
                cases[i].SetId = set.Id;
                cases[i].Position = i + 1;
            }
            set.Cases = cases;
            db.EvaluationSets.Add(set);
            db.AuditEvents.Add(audit.Create(ValidationAuditActions.SetCreated, actor, details: $"set={set.Id} name={name} version={version} cases={cases.Count} {details}"));
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return new(true, $"{name} v{version} created with {cases.Count} cases. Include or exclude cases, then freeze it.", set.Id);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                db.ChangeTracker.Clear(); // another admin created the same version at once: take the next number
            }
        }
    }

    /// <summary>Includes or excludes a case of a set that is not frozen.</summary>
    public async Task<SetChangeResult> SetIncludedAsync(Guid caseId, bool included, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var action = included ? ValidationAuditActions.CaseIncluded : ValidationAuditActions.CaseExcluded;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, Roles.Admin, action, time.GetUtcNow(), cancellationToken) is { } refusal)
            return new(false, refusal);
        var row = await db.EvaluationCases.Include(c => c.Set).SingleOrDefaultAsync(c => c.Id == caseId, cancellationToken);
        if (row is null) return new(false, "This case no longer exists.");
        if (row.Set!.FrozenAt is not null) return new(false, "This set is frozen: its cases cannot change. Make a new version to change them.");
        if (row.Included == included) return new(true, "Nothing to change.");
        row.Included = included;
        db.AuditEvents.Add(audit.Create(action, actor, details: $"set={row.SetId} case={row.Position}"));
        await db.SaveChangesAsync(cancellationToken);
        return new(true, included ? $"Case {row.Position} included." : $"Case {row.Position} excluded.");
    }

    /// <summary>Freezes a set: from now on it never changes, and it becomes the current set for the activation gate.</summary>
    public async Task<SetChangeResult> FreezeAsync(Guid setId, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, Roles.Admin, ValidationAuditActions.SetFrozen, time.GetUtcNow(), cancellationToken) is { } refusal)
            return new(false, refusal);
        var set = await db.EvaluationSets.SingleOrDefaultAsync(s => s.Id == setId, cancellationToken);
        if (set is null) return new(false, "This set no longer exists.");
        if (set.FrozenAt is not null) return new(true, "This set is already frozen.", set.Id);
        var included = await db.EvaluationCases.CountAsync(c => c.SetId == setId && c.Included, cancellationToken);
        if (included == 0) return new(false, "A set needs at least one included case before it is frozen.");
        set.FrozenAt = time.GetUtcNow();
        set.FrozenByName = actor.Name;
        db.AuditEvents.Add(audit.Create(ValidationAuditActions.SetFrozen, actor, details: $"set={set.Id} name={set.Name} version={set.Version} included={included}"));
        await db.SaveChangesAsync(cancellationToken);
        return new(true, $"{set.Name} v{set.Version} is frozen with {included} cases; it is now the current evaluation set.", set.Id);
    }
}

using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>Starts, stops and resumes evaluation runs (the worker runs them). A run is one model configuration at its
/// current version × one prompt template version over one frozen set. The offline drafter is not a model and is not
/// run.</summary>
public sealed class EvaluationRuns(
    IDbContextFactory<AppDbContext> dbFactory,
    PromptTemplateStore templates,
    EvaluationSignals signals,
    AuditLog audit,
    TimeProvider time)
{
    /// <summary>Starts a run; <paramref name="templateVersion"/> null means the active version of the summary template.</summary>
    public async Task<SetChangeResult> StartAsync(Guid setId, Guid configurationId, int? templateVersion, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, Roles.Admin, ValidationAuditActions.RunStarted, time.GetUtcNow(), cancellationToken) is { } refusal)
            return new(false, refusal);
        var set = await db.EvaluationSets.AsNoTracking().SingleOrDefaultAsync(s => s.Id == setId, cancellationToken);
        if (set is null) return new(false, "This evaluation set no longer exists.");
        if (set.FrozenAt is null) return new(false, "Freeze the set first: a run is only made on a set that can no longer change.");
        var configuration = await db.ModelConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == configurationId, cancellationToken);
        if (configuration is null) return new(false, "This model configuration no longer exists.");
        if (configuration.Provider == ModelProvider.Offline)
            return new(false, "The offline drafter is rule-based, not a model: it is not validated with runs (and activating it needs no run).");
        var template = templateVersion is { } v
            ? await templates.GetAsync(PromptBuilder.TemplateId, v, cancellationToken)
            : await templates.GetActiveAsync(PromptBuilder.TemplateId, cancellationToken);
        if (template is null) return new(false, $"Prompt template version {templateVersion} does not exist.");
        var cases = await db.EvaluationCases.CountAsync(c => c.SetId == setId && c.Included, cancellationToken);
        var run = new EvaluationRun
        {
            Id = Guid.NewGuid(),
            SetId = setId,
            ModelConfigurationId = configuration.Id,
            ModelConfigurationName = configuration.Name,
            ModelConfigurationVersion = configuration.Version,
            TemplateId = template.TemplateId,
            TemplateVersion = template.Version,
            Status = EvaluationRunStatus.Running,
            CaseCount = cases,
            StartedById = actor.Id,
            StartedByName = actor.Name,
            CreatedAt = time.GetUtcNow(),
        };
        db.EvaluationRuns.Add(run);
        db.AuditEvents.Add(audit.Create(ValidationAuditActions.RunStarted, actor,
            details: $"run={run.Id} set={set.Id} configuration={configuration.Id} template={template.TemplateId}@{template.Version} cases={cases} judge={run.Judge}"));
        await db.SaveChangesAsync(cancellationToken);
        signals.Wake();
        return new(true, $"Run started: {configuration.Name} × template v{template.Version} over {set.Name} v{set.Version} ({cases} cases).", run.Id);
    }

    /// <summary>Stops a running run: cases in flight are cancelled (no result stored for them); finished ones are kept.</summary>
    public async Task<SetChangeResult> StopAsync(Guid runId, Actor actor, CancellationToken cancellationToken) =>
        await ChangeAsync(runId, actor, EvaluationRunStatus.Running, EvaluationRunStatus.Stopped, ValidationAuditActions.RunStopped, "Run stopped. Finished cases are kept; Resume runs the rest.", cancellationToken);

    /// <summary>Resumes a stopped run: only cases without a result are run.</summary>
    public async Task<SetChangeResult> ResumeAsync(Guid runId, Actor actor, CancellationToken cancellationToken) =>
        await ChangeAsync(runId, actor, EvaluationRunStatus.Stopped, EvaluationRunStatus.Running, ValidationAuditActions.RunResumed, "Run resumed: finished cases are not run again.", cancellationToken);

    private async Task<SetChangeResult> ChangeAsync(Guid runId, Actor actor, EvaluationRunStatus from, EvaluationRunStatus to, string action, string done, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, Roles.Admin, action, time.GetUtcNow(), cancellationToken) is { } refusal)
            return new(false, refusal);
        var run = await db.EvaluationRuns.SingleOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null) return new(false, "This run no longer exists.");
        if (run.Status != from) return new(false, $"The run is {run.Status.ToString().ToLowerInvariant()}; nothing was changed.");
        run.Status = to;
        db.AuditEvents.Add(audit.Create(action, actor, details: $"run={run.Id}"));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return new(false, "The run changed meanwhile (it may have finished). Reload and try again.");
        }
        if (to == EvaluationRunStatus.Stopped) signals.Stop(runId);
        else
        {
            signals.Forget(runId);
            signals.Wake();
        }
        signals.Publish(runId);
        return new(true, done, runId);
    }
}

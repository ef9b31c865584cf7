using System.Globalization;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>
/// Activating a model configuration or a prompt template version goes through here: the request is checked against
/// the evidence — a completed run of that configuration (at its current version) × that template version on the
/// current evaluation set meeting the thresholds (<see cref="ValidationOptions.MinCitationValidity"/>,
/// <see cref="ValidationOptions.MinMustIncludeRecall"/>, no flagged cohort) — and a request that does not pass needs a
/// written override reason. Either way a second admin (not the requester) must approve, and only then is it activated.
/// Requests, refusals, approvals and withdrawals are audited. The offline drafter is rule-based: it needs no run
/// (an incident can always fall back to it) but still a second admin.
/// </summary>
public sealed class ActivationGate(
    IDbContextFactory<AppDbContext> dbFactory,
    EvaluationReports reports,
    ModelConfigurationAdmin configurationAdmin,
    PromptTemplateAdmin templateAdmin,
    PromptTemplateStore templates,
    AuditLog audit,
    IOptions<ValidationOptions> options,
    TimeProvider time)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The gate's verdict for a configuration × template version on the current evaluation set.</summary>
    public async Task<GateVerdict> CheckAsync(Guid configurationId, int templateVersion, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var configuration = await db.ModelConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == configurationId, cancellationToken);
        if (configuration is null) return new(false, "The model configuration no longer exists.", null);
        if (configuration.Provider == ModelProvider.Offline)
            return new(true, "The offline drafter is rule-based (no AI model): no run is needed.", null);
        var set = await EvaluationSets.Current(db).FirstOrDefaultAsync(cancellationToken);
        if (set is null) return new(false, "There is no frozen evaluation set yet: create one in Admin › Validation, freeze it and run this configuration on it.", null);
        var run = await db.EvaluationRuns.AsNoTracking()
            .Where(r => r.SetId == set.Id && r.ModelConfigurationId == configuration.Id && r.ModelConfigurationVersion == configuration.Version
                        && r.TemplateId == PromptBuilder.TemplateId && r.TemplateVersion == templateVersion && r.Status == EvaluationRunStatus.Completed)
            .OrderByDescending(r => r.FinishedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (run is null)
            return new(false, $"No finished run of \"{configuration.Name}\" (as it is now) × template v{templateVersion} on the current set ({set.Name} v{set.Version}). Start one in Admin › Validation.", null);
        var report = (await reports.ForRunAsync(run.Id, cancellationToken))!;
        var o = options.Value;
        var problems = new List<string>();
        var m = report.Whole;
        if (m.CitationValidity is not { } validity) problems.Add("citation validity was not measured (no cited statement)");
        else if (validity < o.MinCitationValidity) problems.Add($"citation validity {Pct(validity)} is below {Pct(o.MinCitationValidity)}");
        if (m.MustIncludeRecall is not { } recall) problems.Add("must-include recall was not measured (the set declares no must-include item)");
        else if (recall < o.MinMustIncludeRecall) problems.Add($"must-include recall {Pct(recall)} is below {Pct(o.MinMustIncludeRecall)}");
        foreach (var c in report.Cohorts.Where(c => c.Flagged))
            problems.Add($"cohort {c.Dimension} {c.Cohort} is flagged on {c.Metric.ToLowerInvariant()} (ratio {c.Ratio.ToString("0.00", Inv)}, n={c.N})");
        var evidence = $"Run of {run.FinishedAt:yyyy-MM-dd HH:mm} UTC on {set.Name} v{set.Version}: citation validity {Pct(m.CitationValidity)}, must-include recall {Pct(m.MustIncludeRecall)}, {report.Cohorts.Count(c => c.Flagged)} flagged cohort rows";
        return problems.Count == 0
            ? new(true, evidence + ". Meets the thresholds.", run.Id)
            : new(false, evidence + ". Does not meet them: " + string.Join("; ", problems) + ".", run.Id);
    }

    /// <summary>Asks for an activation. The gate is checked now; when it does not pass a written override reason is
    /// required. A second admin approves (<see cref="ApproveAsync"/>).</summary>
    public async Task<SetChangeResult> RequestAsync(ActivationTarget target, string targetId, int? templateVersion, string? overrideReason, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(targetId);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, Roles.Admin, ValidationAuditActions.ActivationRequested, time.GetUtcNow(), cancellationToken) is { } refusal)
            return new(false, refusal);
        var resolved = await ResolveAsync(db, target, targetId, templateVersion, cancellationToken);
        if (resolved.Problem is not null) return new(false, resolved.Problem);
        var verdict = await CheckAsync(resolved.ConfigurationId, resolved.TemplateVersion, cancellationToken);
        var reason = string.IsNullOrWhiteSpace(overrideReason) ? null : overrideReason.Trim();
        if (!verdict.Passed && reason is null)
        {
            await audit.WriteAsync(ValidationAuditActions.ActivationRefused, actor, outcome: "failure",
                details: $"target={target} id={targetId} version={templateVersion} reason=gate-not-met", cancellationToken: CancellationToken.None);
            return new(false, $"\"{resolved.Label}\" cannot be activated yet. {verdict.Summary} To activate it anyway, request it with a written override reason in Admin › Validation; a second admin must still approve.");
        }
        var key = resolved.Key;
        if (await db.ActivationRequests.AnyAsync(r => r.Status == ActivationRequestStatus.Pending && r.Target == target && r.TargetId == key && r.TemplateVersion == templateVersion, cancellationToken))
            return new(false, $"An activation of \"{resolved.Label}\" is already waiting for a second admin in Admin › Validation.");
        var request = new ActivationRequest
        {
            Id = Guid.NewGuid(),
            Target = target,
            TargetId = key,
            TemplateVersion = target == ActivationTarget.PromptTemplate ? resolved.TemplateVersion : null,
            TargetLabel = resolved.Label,
            RunId = verdict.RunId,
            GatePassed = verdict.Passed,
            GateSummary = verdict.Summary.Length > 2000 ? verdict.Summary[..2000] : verdict.Summary,
            OverrideReason = verdict.Passed ? null : reason,
            RequestedById = actor.Id,
            RequestedByName = actor.Name,
            RequestedAt = time.GetUtcNow(),
            Status = ActivationRequestStatus.Pending,
        };
        db.ActivationRequests.Add(request);
        db.AuditEvents.Add(audit.Create(ValidationAuditActions.ActivationRequested, actor,
            details: $"request={request.Id} target={target} id={key} version={request.TemplateVersion} run={verdict.RunId} gate={(verdict.Passed ? "passed" : "override")}"
                     + (request.OverrideReason is { } r ? $" override_reason=\"{(r.Length > 500 ? r[..500] : r)}\"" : "")));
        await db.SaveChangesAsync(cancellationToken);
        return new(true, verdict.Passed
            ? $"Activation of \"{resolved.Label}\" requested: the gate passed; a second admin must approve it in Admin › Validation."
            : $"Activation of \"{resolved.Label}\" requested with an override: a second admin must approve it in Admin › Validation.", request.Id);
    }

    /// <summary>A second admin approves a pending request: the gate is checked again (unless it is an override) and the
    /// configuration or template version is activated.</summary>
    public async Task<SetChangeResult> ApproveAsync(Guid requestId, Actor approver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(approver);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await AuthorityCheck.RefusalAsync(db, audit, approver, Roles.Admin, ValidationAuditActions.ActivationApproved, time.GetUtcNow(), cancellationToken) is { } refusal)
            return new(false, refusal);
        var request = await db.ActivationRequests.SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        if (request is null || request.Status != ActivationRequestStatus.Pending) return new(false, "This request is no longer waiting for approval.");
        if (request.RequestedById == approver.Id)
        {
            await audit.WriteAsync(ValidationAuditActions.ActivationRefused, approver, outcome: "failure",
                details: $"request={request.Id} reason=same-admin", cancellationToken: CancellationToken.None);
            return new(false, "A second admin must approve: you asked for this activation yourself.");
        }
        var resolved = await ResolveAsync(db, request.Target, request.TargetId, request.TemplateVersion, cancellationToken);
        if (resolved.Problem is not null) return new(false, resolved.Problem);
        if (request.OverrideReason is null)
        {
            var verdict = await CheckAsync(resolved.ConfigurationId, resolved.TemplateVersion, cancellationToken);
            if (!verdict.Passed)
            {
                await audit.WriteAsync(ValidationAuditActions.ActivationRefused, approver, outcome: "failure",
                    details: $"request={request.Id} reason=gate-no-longer-met", cancellationToken: CancellationToken.None);
                return new(false, "The evidence changed since the request: " + verdict.Summary + " Nothing was activated.");
            }
        }
        var applied = request.Target == ActivationTarget.ModelConfiguration
            ? await configurationAdmin.ActivateAsync(resolved.ConfigurationId, approver, cancellationToken) is var c ? (c.Succeeded, c.Message) : default
            : await templateAdmin.ActivateAsync(request.TargetId, resolved.TemplateVersion, approver, cancellationToken) is var t ? (t.Succeeded, t.Message) : default;
        if (!applied.Succeeded) return new(false, applied.Message);
        request.Status = ActivationRequestStatus.Activated;
        request.DecidedById = approver.Id;
        request.DecidedByName = approver.Name;
        request.DecidedAt = time.GetUtcNow();
        db.AuditEvents.Add(audit.Create(ValidationAuditActions.ActivationApproved, approver,
            details: $"request={request.Id} target={request.Target} id={request.TargetId} version={request.TemplateVersion} requested_by={request.RequestedById} gate={(request.GatePassed ? "passed" : "override")}"));
        await db.SaveChangesAsync(cancellationToken);
        return new(true, $"\"{request.TargetLabel}\" approved and activated. {applied.Message}", request.Id);
    }

    /// <summary>Withdraws a pending request (any admin).</summary>
    public async Task<SetChangeResult> WithdrawAsync(Guid requestId, Actor actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(actor);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, Roles.Admin, ValidationAuditActions.ActivationWithdrawn, time.GetUtcNow(), cancellationToken) is { } refusal)
            return new(false, refusal);
        var request = await db.ActivationRequests.SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
        if (request is null || request.Status != ActivationRequestStatus.Pending) return new(false, "This request is no longer waiting for approval.");
        request.Status = ActivationRequestStatus.Withdrawn;
        request.DecidedById = actor.Id;
        request.DecidedByName = actor.Name;
        request.DecidedAt = time.GetUtcNow();
        db.AuditEvents.Add(audit.Create(ValidationAuditActions.ActivationWithdrawn, actor, details: $"request={request.Id}"));
        await db.SaveChangesAsync(cancellationToken);
        return new(true, "Request withdrawn; nothing was activated.", request.Id);
    }

    private sealed record Resolved(Guid ConfigurationId, int TemplateVersion, string Key, string Label, string? Problem = null);

    /// <summary>The configuration × template version the gate judges: the target with the other side as it is active now.</summary>
    private async Task<Resolved> ResolveAsync(AppDbContext db, ActivationTarget target, string targetId, int? templateVersion, CancellationToken cancellationToken)
    {
        if (target == ActivationTarget.ModelConfiguration)
        {
            if (!Guid.TryParse(targetId, out var id) || await db.ModelConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, cancellationToken) is not { } configuration)
                return new(Guid.Empty, 0, targetId, targetId, "This model configuration no longer exists.");
            var active = await templates.GetActiveAsync(PromptBuilder.TemplateId, cancellationToken);
            return new(configuration.Id, active.Version, configuration.Id.ToString(), $"{configuration.Name} (with template v{active.Version})");
        }
        if (templateVersion is not { } version || await templates.GetAsync(targetId, version, cancellationToken) is null)
            return new(Guid.Empty, 0, targetId, targetId, "This prompt template version does not exist.");
        var activeConfiguration = await db.ModelConfigurations.AsNoTracking().Where(c => c.IsActive).OrderByDescending(c => c.UpdatedAt).FirstOrDefaultAsync(cancellationToken);
        if (activeConfiguration is null) return new(Guid.Empty, 0, targetId, targetId, "No model configuration is active.");
        return new(activeConfiguration.Id, version, targetId, $"Prompt template {targetId} v{version} (with {activeConfiguration.Name})");
    }

    private static string Pct(double? value) => value is { } v ? (100 * v).ToString("0.##", Inv) + " %" : "not measured";
}

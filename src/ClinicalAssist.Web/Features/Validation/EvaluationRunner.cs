using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>
/// Runs the cases of running evaluation runs: at most <see cref="ValidationOptions.MaxConcurrency"/> at a time, each
/// claimed first with a work lease (<see cref="WorkKinds.EvaluationCase"/>, docs/adr/0028), so two instances never run
/// the same case and a case an instance was running when it died is taken over once its lease ran out. A case's
/// outcome is stored once (unique per run and case): after a restart a finished case is never run again. Each case is
/// one call through the model configuration's own pipeline (<see cref="ModelConfigurationService.CreateModel"/>): 429s
/// are waited out and paced per deployment there, not here. Nothing is written to drafts: a run's answers are stored
/// only with its results (admin pages).
/// </summary>
public sealed partial class EvaluationRunner(
    IDbContextFactory<AppDbContext> dbFactory,
    ModelConfigurationService configurations,
    PromptTemplateStore templates,
    CaseScorer scorer,
    EvaluationSignals signals,
    WorkLeases leases,
    AuditLog audit,
    IOptions<ValidationOptions> options,
    TimeProvider time,
    ILogger<EvaluationRunner> logger)
{
    /// <summary>Cases this instance is running now ("run:case"): its own leases would let it claim them again.</summary>
    private readonly ConcurrentDictionary<string, bool> _inFlight = new(StringComparer.Ordinal);

    private sealed record Work(Guid RunId, Guid CaseId)
    {
        public string Id { get; } = RunId.ToString("N") + CaseId.ToString("N");
    }

    /// <summary>Runs every case of every running run that is neither finished nor held by another instance, then
    /// completes the runs that have a result for every case.</summary>
    public async Task RunPendingAsync(CancellationToken stoppingToken)
    {
        using var slots = new SemaphoreSlim(options.Value.MaxConcurrency);
        var inFlight = new List<Task>();
        var heldElsewhere = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            await slots.WaitAsync(stoppingToken);
            Work? next;
            try
            {
                next = await ClaimNextAsync(heldElsewhere, stoppingToken);
            }
            catch
            {
                slots.Release();
                throw;
            }
            if (next is null)
            {
                slots.Release();
                inFlight.RemoveAll(t => t.IsCompleted);
                if (inFlight.Count == 0) break;
                await Task.WhenAny(inFlight);
                continue;
            }
            var work = next;
            inFlight.Add(Task.Run(async () =>
            {
                try { await ProcessAsync(work, stoppingToken); }
                finally
                {
                    _inFlight.TryRemove(work.Id, out _);
                    slots.Release();
                }
            }, CancellationToken.None));
            inFlight.RemoveAll(t => t.IsCompleted);
        }
        await CompleteFinishedRunsAsync(stoppingToken);
    }

    /// <summary>The next case without a result of the oldest running run, claimed with a lease; null when none is left
    /// that this instance may run now.</summary>
    private async Task<Work?> ClaimNextAsync(HashSet<string> heldElsewhere, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        while (true)
        {
            var skip = _inFlight.Count + heldElsewhere.Count;
            var candidates = await (
                    from r in db.EvaluationRuns
                    where r.Status == EvaluationRunStatus.Running
                    from c in db.EvaluationCases
                    where c.SetId == r.SetId && c.Included && !db.EvaluationResults.Any(x => x.RunId == r.Id && x.CaseId == c.Id)
                    orderby r.CreatedAt, c.Position
                    select new { RunId = r.Id, CaseId = c.Id })
                .Take(skip + 1)
                .ToListAsync(cancellationToken);
            var candidate = candidates.Select(c => new Work(c.RunId, c.CaseId))
                .FirstOrDefault(w => !_inFlight.ContainsKey(w.Id) && !heldElsewhere.Contains(w.Id));
            if (candidate is null) return null;
            if (!await leases.TryClaimAsync(WorkKinds.EvaluationCase, candidate.Id, cancellationToken))
            {
                heldElsewhere.Add(candidate.Id); // another live instance runs it
                continue;
            }
            // Claimed: another instance may have finished it between the query and the claim.
            if (await db.EvaluationResults.AnyAsync(x => x.RunId == candidate.RunId && x.CaseId == candidate.CaseId, cancellationToken))
            {
                await leases.ReleaseAsync(WorkKinds.EvaluationCase, candidate.Id, CancellationToken.None);
                continue;
            }
            _inFlight[candidate.Id] = true;
            return candidate;
        }
    }

    private async Task ProcessAsync(Work work, CancellationToken stoppingToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, signals.TokenFor(work.RunId));
        var token = linked.Token;
        try
        {
            EvaluationResult? result;
            try
            {
                result = await EvaluateAsync(work, token);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return; // stopped or shutting down: no result, so the case is run again when the run resumes
            }
            catch (Exception ex)
            {
                LogCaseFailed(logger, work.RunId, ex.GetType().Name);
                result = Failed(work, "The case could not be run because of an unexpected error.");
            }
            if (result is null) return;
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            db.EvaluationResults.Add(result);
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
            }
            catch (DbUpdateException)
            {
                // Stored already (by an instance that took the case over after this one's lease ran out): kept once.
            }
        }
        finally
        {
            await leases.ReleaseAsync(WorkKinds.EvaluationCase, work.Id, CancellationToken.None);
            signals.Publish(work.RunId);
        }
    }

    private async Task<EvaluationResult?> EvaluateAsync(Work work, CancellationToken token)
    {
        EvaluationRun run;
        EvaluationCase evaluationCase;
        ModelConfiguration? configuration;
        await using (var db = await dbFactory.CreateDbContextAsync(token))
        {
            run = await db.EvaluationRuns.AsNoTracking().SingleAsync(r => r.Id == work.RunId, token);
            if (run.Status != EvaluationRunStatus.Running) return null;
            evaluationCase = await db.EvaluationCases.AsNoTracking().SingleAsync(c => c.Id == work.CaseId, token);
            configuration = await db.ModelConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == run.ModelConfigurationId, token);
        }
        var declared = (System.Text.Json.JsonSerializer.Deserialize<List<DeclaredItem>>(evaluationCase.MustIncludeJson) ?? []).Count;
        if (configuration is null || configuration.Version != run.ModelConfigurationVersion)
            return Failed(work, "The model configuration was changed or deleted after the run started; start a new run.", declared);
        var template = await templates.GetAsync(run.TemplateId, run.TemplateVersion, token);
        if (template is null) return Failed(work, $"Prompt template {run.TemplateId} v{run.TemplateVersion} no longer exists.", declared);

        var model = configurations.CreateModel(configuration);
        var prompt = PromptBuilder.Render(template, evaluationCase.ContextSnapshot);
        var snapshot = CaseSnapshot.Parse(evaluationCase.ContextSnapshot);
        // The model is given the prompt only; the context object is a stand-in with the case's age and sex.
        var context = new PatientContext
        {
            Patient = new PatientSummary("evaluation-case", "Evaluation case", snapshot.Sex ?? "", snapshot.AgeYears, null, null, null, null, null),
        };
        var request = new DraftRequest(context, CitationIndex.FromMap(new Dictionary<string, ResourceRef>()), prompt);
        var raw = new StringBuilder();
        var watch = Stopwatch.StartNew();
        try
        {
            await foreach (var chunk in model.StreamAsync(request, token)) raw.Append(chunk);
        }
        catch (DraftModelException ex)
        {
            return Failed(work, ex.Message, declared, (int)watch.ElapsedMilliseconds);
        }
        var latency = (int)watch.ElapsedMilliseconds;
        if (raw.Length == 0) return Failed(work, "The model returned an empty answer.", declared, latency);
        var score = scorer.Score(evaluationCase, raw.ToString());
        return new EvaluationResult
        {
            Id = Guid.NewGuid(),
            RunId = work.RunId,
            CaseId = work.CaseId,
            Succeeded = true,
            AnswerText = score.AnswerText,
            Structured = score.Structured,
            CitedStatements = score.CitedStatements,
            ValidCitedStatements = score.ValidCitedStatements,
            UnknownKeys = score.UnknownKeys,
            UncitedStatements = score.UncitedStatements,
            NumberMismatches = score.NumberMismatches,
            MustIncludeDeclared = score.MustIncludeDeclared,
            MustIncludeCovered = score.MustIncludeCovered,
            InjectionFollowed = score.InjectionFollowed,
            Words = score.Words,
            LatencyMs = latency,
            PromptTokens = request.Call.PromptTokens,
            CompletionTokens = request.Call.CompletionTokens,
            EditDistance = score.EditDistance,
            FinishedAt = time.GetUtcNow(),
        };
    }

    /// <summary>A finished case that got no usable answer: its declared must-include items count as not covered.</summary>
    private EvaluationResult Failed(Work work, string message, int declared = 0, int latencyMs = 0) => new()
    {
        MustIncludeDeclared = declared,
        Id = Guid.NewGuid(),
        RunId = work.RunId,
        CaseId = work.CaseId,
        Succeeded = false,
        Failure = message.Length > 1000 ? message[..1000] : message,
        LatencyMs = latencyMs,
        FinishedAt = time.GetUtcNow(),
    };

    private async Task CompleteFinishedRunsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var finished = await db.EvaluationRuns
            .Where(r => r.Status == EvaluationRunStatus.Running
                        && !db.EvaluationCases.Any(c => c.SetId == r.SetId && c.Included && !db.EvaluationResults.Any(x => x.RunId == r.Id && x.CaseId == c.Id)))
            .ToListAsync(cancellationToken);
        foreach (var run in finished)
        {
            run.Status = EvaluationRunStatus.Completed;
            run.FinishedAt = time.GetUtcNow();
            var failed = await db.EvaluationResults.CountAsync(x => x.RunId == run.Id && !x.Succeeded, cancellationToken);
            db.AuditEvents.Add(audit.Create(ValidationAuditActions.RunCompleted, new Actor(run.StartedById, run.StartedByName),
                details: $"run={run.Id} cases={run.CaseCount} failed={failed}"));
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return; // another instance completed (or an admin stopped) it at the same moment
        }
        foreach (var run in finished)
        {
            signals.Forget(run.Id);
            signals.Publish(run.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A case of evaluation run {RunId} failed unexpectedly ({Fault}).")]
    private static partial void LogCaseFailed(ILogger logger, Guid runId, string fault);
}

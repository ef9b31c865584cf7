using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>A warning shown with a draft: prompt-injection text found in the record, a citation that does not
/// resolve, or a statement without a citation.</summary>
public sealed record DraftWarning(string Kind, string Message, string? CitationKey = null);

/// <summary>What the page shows while a draft streams in.</summary>
public sealed record DraftProgress(Guid DraftId, DraftStatus Status, string Text, string? Message = null);

/// <summary>
/// Runs one draft end to end: the row is stored (Generating) before the model is called, streamed text is
/// persisted in increments, and the outcome — Draft, Failed (with a message the clinician can act on) or
/// Stopped — is stored with timings, citations and warnings. Whatever was produced is never lost.
/// </summary>
public sealed class DraftGenerator(
    IDbContextFactory<AppDbContext> dbFactory,
    IDraftModel model,
    PromptBuilder prompts,
    PromptInjectionDetector injectionDetector,
    CitationVerifier verifier,
    AuditLog audit,
    TimeProvider time,
    ILogger<DraftGenerator> logger)
{
    internal static readonly TimeSpan PersistInterval = TimeSpan.FromMilliseconds(750);

    public IDraftModel Model => model;

    public async Task<Guid> GenerateAsync(PatientContext context, string recordSource, Actor clinician,
        Func<DraftProgress, Task> onProgress, CancellationToken cancellationToken)
    {
        var citations = CitationIndex.Build(context);
        var prompt = prompts.Build(context, citations);
        var injectionWarnings = injectionDetector.Scan(context)
            .Select(w => new DraftWarning("prompt-injection",
                $"Note {w.NoteKey} contains text that reads like an instruction to an AI model (\"{w.Excerpt}\"). It was treated as data and not followed.",
                w.NoteKey))
            .ToList();

        var contextResources = SortedResources(context);
        var draft = new Draft
        {
            Id = Guid.NewGuid(),
            PatientId = context.Patient.Id,
            PatientLabel = context.Patient.DisplayName,
            EncounterId = context.Encounter?.Source.Id,
            RecordSource = recordSource,
            ContextResourcesJson = JsonSerializer.Serialize(contextResources),
            ContextHash = ContextHash(contextResources),
            CitationsJson = JsonSerializer.Serialize(citations.ByKey.ToDictionary(k => k.Key, k => k.Value.ToString())),
            DrafterName = model.DisplayName,
            ModelId = model.ModelId,
            IsAiGenerated = model.IsAi,
            TemplateId = prompt.TemplateId,
            TemplateVersion = prompt.TemplateVersion,
            Status = DraftStatus.Generating,
            WarningsJson = JsonSerializer.Serialize(injectionWarnings),
            WarningCount = injectionWarnings.Count,
            CreatedById = clinician.Id,
            CreatedByName = clinician.Name,
            CreatedAt = time.GetUtcNow(),
        };

        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            db.Drafts.Add(draft);
            db.AuditEvents.Add(audit.Create(AuditActions.DraftStarted, clinician, draft.PatientId, draft.Id,
                details: $"model={model.ModelId} template={prompt.TemplateId}@{prompt.TemplateVersion}"));
            await db.SaveChangesAsync(CancellationToken.None);
        }
        await onProgress(new DraftProgress(draft.Id, DraftStatus.Generating, ""));

        var text = new StringBuilder();
        var stopwatch = Stopwatch.StartNew();
        int? firstTokenMs = null;
        var lastPersisted = TimeSpan.Zero;
        DraftStatus outcome;
        string? failure = null;
        try
        {
            await foreach (var chunk in model.StreamAsync(new DraftRequest(context, citations, prompt), cancellationToken))
            {
                firstTokenMs ??= (int)stopwatch.ElapsedMilliseconds;
                text.Append(chunk);
                await onProgress(new DraftProgress(draft.Id, DraftStatus.Generating, text.ToString()));
                if (stopwatch.Elapsed - lastPersisted >= PersistInterval)
                {
                    lastPersisted = stopwatch.Elapsed;
                    await PersistTextAsync(draft.Id, text.ToString());
                }
            }
            outcome = text.Length == 0 ? DraftStatus.Failed : DraftStatus.Draft;
            if (outcome == DraftStatus.Failed) failure = "The model returned an empty answer. Try again.";
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = DraftStatus.Stopped;
            failure = "Stopped by the clinician. The text produced so far is kept.";
        }
        catch (DraftModelException ex)
        {
            outcome = DraftStatus.Failed;
            failure = ex.Message;
            logger.LogWarning("Draft {DraftId} failed at the model: {Reason} (retryable: {Retryable}).", draft.Id, ex.Message, ex.Retryable);
        }
        catch (Exception ex)
        {
            outcome = DraftStatus.Failed;
            failure = "The draft could not be completed because of an unexpected error. What was produced so far is kept; try again.";
            logger.LogError(ex, "Draft {DraftId} failed unexpectedly.", draft.Id);
        }

        var finalText = text.ToString();
        var warnings = new List<DraftWarning>(injectionWarnings);
        if (finalText.Length > 0)
        {
            var check = verifier.Verify(finalText, citations);
            warnings.AddRange(check.UnknownKeys.Select(k =>
                new DraftWarning("unknown-citation", $"[{k}] does not point at anything in this patient's record.", k)));
            warnings.AddRange(check.UncitedStatements.Select(s =>
                new DraftWarning("uncited", $"No source cited: \"{Truncate(s, 120)}\"")));
        }

        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            var stored = await db.Drafts.SingleAsync(d => d.Id == draft.Id, CancellationToken.None);
            stored.GeneratedText = finalText;
            stored.Status = outcome;
            stored.FailureMessage = failure;
            stored.WarningsJson = JsonSerializer.Serialize(warnings);
            stored.WarningCount = warnings.Count;
            stored.CompletedAt = time.GetUtcNow();
            stored.TimeToFirstTokenMs = firstTokenMs;
            stored.DurationMs = (int)stopwatch.ElapsedMilliseconds;
            db.AuditEvents.Add(audit.Create(
                outcome switch { DraftStatus.Draft => AuditActions.DraftGenerated, DraftStatus.Stopped => AuditActions.DraftStopped, _ => AuditActions.DraftFailed },
                clinician, draft.PatientId, draft.Id, outcome == DraftStatus.Draft ? "success" : "failure",
                $"duration_ms={stopwatch.ElapsedMilliseconds} chars={finalText.Length} warnings={warnings.Count}"));
            await db.SaveChangesAsync(CancellationToken.None);
        }

        Infrastructure.ClinicalAssistTelemetry.RecordDraft(outcome.ToString(), model.DisplayName, model.ModelId, (int)stopwatch.ElapsedMilliseconds, firstTokenMs, warnings.Select(w => w.Kind));
        await onProgress(new DraftProgress(draft.Id, outcome, finalText, failure));
        return draft.Id;
    }

    private async Task PersistTextAsync(Guid draftId, string text)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await db.Drafts.Where(d => d.Id == draftId && d.Status == DraftStatus.Generating)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.GeneratedText, text), CancellationToken.None);
        }
        catch (Exception ex) when (ex is DbUpdateException or InvalidOperationException)
        {
            // An increment that fails to persist is retried at the next one and at the end.
            logger.LogWarning(ex, "Could not persist streamed text of draft {DraftId}.", draftId);
        }
    }

    internal static IReadOnlyList<string> SortedResources(PatientContext context) =>
        context.Resources.Values.Select(r => ResourceRef.From(r).ToString()).Order(StringComparer.Ordinal).ToList();

    internal static string ContextHash(IReadOnlyList<string> sortedResources) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', sortedResources))));

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";
}

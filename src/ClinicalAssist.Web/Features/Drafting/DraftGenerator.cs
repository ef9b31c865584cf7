using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Runs one draft end to end: the row is stored (Generating) before the model is called, streamed text is
/// persisted in increments, and the outcome — Draft, Failed (with a message the clinician can act on) or
/// Stopped — is stored with timings, citations and warnings. Whatever was produced is never lost.
/// </summary>
public sealed class DraftGenerator(
    IDbContextFactory<AppDbContext> dbFactory,
    IDraftModel model,
    PromptBuilder prompts,
    PromptTemplateStore templates,
    PromptInjectionDetector injectionDetector,
    CitationVerifier verifier,
    DraftSafetyNet safetyNet,
    IOptions<ModelOptions> modelOptions,
    AuditLog audit,
    WorkLeases leases,
    TimeProvider time,
    ILogger<DraftGenerator> logger,
    ModelConfigurationService? configurations = null)
{
    internal static readonly TimeSpan PersistInterval = TimeSpan.FromMilliseconds(750);

    /// <summary>Characters per answer token allowed before an AI answer counts as over-long: about twice what a
    /// token holds in English or JSON, so only an endpoint that ignores its max_tokens reaches it.</summary>
    internal const int CharactersPerToken = 8;

    /// <summary>The longest AI answer kept: MaxTokens (of the configuration, else the "Model" section) ×
    /// <see cref="CharactersPerToken"/>. The offline drafter is ours and bounded by the chart; it is not cut.</summary>
    internal int MaxAnswerCharacters(IDraftModel drafter, ModelConfiguration? configuration) =>
        drafter.IsAi ? Math.Max(1, configuration?.MaxTokens ?? modelOptions.Value.MaxTokens) * CharactersPerToken : int.MaxValue;

    /// <summary>The drafter of the start-up "Model" section. Drafts use the active model configuration
    /// (<see cref="ActiveAsync"/>); this remains for pages that show the start-up setting.</summary>
    public IDraftModel Model => model;

    /// <summary>The drafter and configuration new drafts use: the active model configuration when configurations
    /// are stored, else the start-up drafter.</summary>
    public async Task<(IDraftModel Model, ModelConfiguration? Configuration)> ActiveAsync(CancellationToken cancellationToken)
    {
        if (configurations is null) return (model, null);
        var config = await configurations.GetActiveAsync(cancellationToken);
        return (configurations.CreateModel(config), config);
    }

    /// <summary>The prompt settings in force: token budget and tokenizer of the configuration (else of the "Model"
    /// section), identifier minimisation from the "Model" section.</summary>
    public PromptSettings SettingsFor(ModelConfiguration? configuration)
    {
        var o = modelOptions.Value;
        return configuration is null
            ? new PromptSettings(o.TokenBudget, o.Tokenizer, o.MinimiseIdentifiers)
            : new PromptSettings(configuration.TokenBudget, string.IsNullOrWhiteSpace(configuration.Tokenizer) ? PromptSettings.DefaultTokenizer : configuration.Tokenizer, o.MinimiseIdentifiers);
    }

    public Task<Guid> GenerateAsync(PatientContext context, string recordSource, Actor clinician,
        Func<DraftProgress, Task> onProgress, CancellationToken cancellationToken) =>
        GenerateAsync(context, recordSource, clinician, onProgress, wrapModel: null, cancellationToken);

    /// <summary>Generates a draft; <paramref name="wrapModel"/> may wrap the active drafter (rounds: a shared
    /// model-call slot held while the answer streams). The drafter is called once: retries and 429 pacing are the
    /// model pipeline's alone.</summary>
    public async Task<Guid> GenerateAsync(PatientContext context, string recordSource, Actor clinician,
        Func<DraftProgress, Task> onProgress, Func<IDraftModel, IDraftModel>? wrapModel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(onProgress);
        var citations = CitationIndex.Build(context);
        var template = await templates.GetActiveAsync(PromptBuilder.TemplateId, CancellationToken.None);
        string? promptFailure = null;
        IDraftModel model;
        ModelConfiguration? configuration;
        try
        {
            (model, configuration) = await ActiveAsync(CancellationToken.None);
        }
        catch (InvalidOperationException ex)
        {
            // No active configuration, or its key is unavailable: a stored failed draft says what to do.
            (model, configuration) = (new UnavailableModel(), null);
            promptFailure = ex.Message;
            logger.LogWarning("The active model configuration cannot draft: {Reason}", ex.Message);
        }
        var settings = SettingsFor(configuration);
        if (wrapModel is not null && promptFailure is null) model = wrapModel(model);
        RenderedPrompt? prompt = null;
        try
        {
            prompt = prompts.Build(context, citations, template, settings);
        }
        catch (Exception ex) when (ex is PromptBudgetException or InvalidOperationException)
        {
            promptFailure ??= ex is PromptBudgetException ? ex.Message
                : "The prompt could not be built from the active template. Ask an administrator to check the prompt template; meanwhile use the offline draft.";
            logger.LogWarning("Prompt for a draft could not be built: {Reason}", ex.Message);
        }

        var injectionWarnings = injectionDetector.Scan(context)
            .Select(w => new DraftWarning("prompt-injection",
                w.Rule == PromptInjectionDetector.ScanIncompleteRule
                    ? $"Note {w.NoteKey} could not be fully checked for instructions to an AI model (the scan timed out). It was treated as data and not followed; read it yourself."
                    : $"Note {w.NoteKey} contains text that {w.Explanation} (\"{w.Excerpt}\"). It was treated as data and not followed.",
                w.NoteKey)
            {
                Excerpt = w.Rule == PromptInjectionDetector.ScanIncompleteRule ? null : w.Excerpt,
                HighlightStart = w.HighlightStart,
                HighlightLength = w.HighlightLength,
            })
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
            CitationsJson = JsonSerializer.Serialize(citations.Entries.ToDictionary(k => k.Key, k => k.Value.ToString())),
            DrafterName = model.DisplayName,
            ModelId = model.ModelId,
            IsAiGenerated = model.IsAi,
            ModelConfigurationId = configuration?.Id,
            ModelConfigurationName = configuration?.Name,
            TemplateId = template.TemplateId,
            TemplateVersion = template.Version,
            PromptContextSnapshot = prompt?.Context,
            PromptHash = prompt is null ? null : PromptBuilder.Hash(prompt),
            PromptSettingsJson = JsonSerializer.Serialize(settings),
            PromptTokensCounted = prompt?.Tokens,
            OmittedJson = JsonSerializer.Serialize(prompt?.Omitted ?? []),
            CoverageJson = JsonSerializer.Serialize(DraftCoverage.From(context, prompt)),
            Status = DraftStatus.Generating,
            WarningsJson = JsonSerializer.Serialize(injectionWarnings),
            WarningCount = injectionWarnings.Count,
            CreatedById = clinician.Id,
            CreatedByName = clinician.Name,
            CreatedAt = time.GetUtcNow(),
        };

        await using (var db = await dbFactory.CreateDbContextAsync(CancellationToken.None))
        {
            // The account's state now decides, not the page's (or the rounds batch's) view of it: nothing is stored
            // and no model is called for an account that lost the Clinician role or was disabled or locked.
            if (await AuthorityCheck.RefusalAsync(db, audit, clinician, Roles.Clinician, AuditActions.DraftStarted, time.GetUtcNow(),
                    CancellationToken.None, draft.PatientId) is { } refusal)
            {
                throw new AuthorityRefusedException(refusal);
            }
            db.Drafts.Add(draft);
            // Owned by this instance while it streams: recovery elsewhere leaves it alone until the lease runs out.
            db.WorkLeases.Add(leases.NewLease(WorkKinds.Draft, draft.Id.ToString()));
            db.AuditEvents.Add(audit.Create(AuditActions.DraftStarted, clinician, draft.PatientId, draft.Id,
                details: $"model={model.ModelId} template={template.TemplateId}@{template.Version} prompt_tokens={prompt?.Tokens} budget={settings.TokenBudget}"));
            await db.SaveChangesAsync(CancellationToken.None);
        }

        var raw = new StringBuilder();
        var shown = "";
        var stopwatch = Stopwatch.StartNew();
        int? firstTokenMs = null;
        var lastPersisted = TimeSpan.Zero;
        DraftStatus outcome;
        string? failure = null;
        var retryable = false;
        var request = prompt is null || promptFailure is not null ? null : new DraftRequest(context, citations, prompt);
        var maxCharacters = MaxAnswerCharacters(model, configuration);
        // The account was checked and the row stored: the request leaves now, and the page loads and shows the row
        // while the model works (its first token is read only after that). Stop cancels the call as before.
        using var abandon = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stream = request is null ? null : model.StreamAsync(request, abandon.Token).GetAsyncEnumerator(abandon.Token);
        var next = stream?.MoveNextAsync().AsTask();
        try
        {
            await onProgress(new DraftProgress(draft.Id, DraftStatus.Generating, ""));
        }
        catch when (stream is not null && next is not null)
        {
            // The caller could not take the draft: the call is abandoned (its outcome observed, never stored).
            await abandon.CancelAsync();
            await next.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            await stream.DisposeAsync();
            throw;
        }
        try
        {
            if (stream is null || next is null) throw new DraftModelException(promptFailure!, retryable: false);
            await foreach (var chunk in Continue(stream, next))
            {
                firstTokenMs ??= (int)stopwatch.ElapsedMilliseconds;
                raw.Append(chunk);
                if (raw.Length > maxCharacters)
                {
                    // An endpoint that ignores max_tokens (or a proxy that loops) must not fill the page and the
                    // database: stop reading, keep what came (cut at the bound) and say so.
                    raw.Length = maxCharacters;
                    throw new DraftModelException(
                        $"The model's answer passed the maximum length ({maxCharacters:N0} characters) and was cut off, so it is incomplete. Try again, or use the offline draft.",
                        retryable: true);
                }
                shown = Display(raw.ToString(), partial: true);
                await onProgress(new DraftProgress(draft.Id, DraftStatus.Generating, shown));
                if (stopwatch.Elapsed - lastPersisted >= PersistInterval)
                {
                    lastPersisted = stopwatch.Elapsed;
                    await PersistTextAsync(draft.Id, shown, raw.ToString());
                }
            }
            outcome = raw.Length == 0 ? DraftStatus.Failed : DraftStatus.Draft;
            if (outcome == DraftStatus.Failed) { failure = "The model returned an empty answer. Try again."; retryable = true; }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = DraftStatus.Stopped;
            failure = "Stopped by the clinician. The text produced so far is kept.";
            retryable = true;
        }
        catch (DraftModelException ex)
        {
            outcome = DraftStatus.Failed;
            failure = ex.Message;
            retryable = ex.Retryable;
            logger.LogWarning("Draft {DraftId} failed at the model: {Reason} (retryable: {Retryable}).", draft.Id, ex.Message, ex.Retryable);
        }
        catch (Exception ex)
        {
            outcome = DraftStatus.Failed;
            failure = "The draft could not be completed because of an unexpected error. What was produced so far is kept; try again.";
            retryable = true;
            logger.LogError(ex, "Draft {DraftId} failed unexpectedly.", draft.Id);
        }

        var rawText = raw.ToString();
        IReadOnlyList<string> invalidCitations = [];
        var answer = outcome == DraftStatus.Draft ? DraftAnswerParser.TryParse(rawText, out invalidCitations) : null;
        var structured = answer is not null;
        var finalText = answer is not null ? answer.ToText()
            : outcome == DraftStatus.Draft ? rawText
            : Display(rawText, partial: true);

        var warnings = new List<DraftWarning>(injectionWarnings);
        DraftVerification? verification = null;
        if (finalText.Length > 0)
        {
            if (outcome == DraftStatus.Draft && !structured)
            {
                warnings.Insert(0, new DraftWarning("unverified",
                    "The model did not answer in the expected structured format, so its raw text is shown and is UNVERIFIED: check every statement against the record, or generate again."));
            }
            var check = verifier.Verify(finalText, citations);
            verification = safetyNet.Verify(finalText, structured, check, context, citations, time.GetUtcNow(), invalidCitations);
            warnings.AddRange(invalidCitations.Select(c =>
                new DraftWarning("invalid-citation", $"A source reference is not a citation key and was left out: \"{Truncate(c, 100)}\". The statement it belongs to is not backed by that reference; check it against the record.")));
            warnings.AddRange(check.UnknownKeys.Select(k =>
                new DraftWarning("unknown-citation", $"[{k}] does not point at anything in this patient's record.", k)));
            warnings.AddRange(check.UncitedStatements.Select(s =>
                new DraftWarning("uncited", $"No source cited: \"{Truncate(s, 120)}\"")));
            warnings.AddRange(verification.NumberMismatches.Select(m =>
                new DraftWarning("number-mismatch", m.CitedKeys.Count == 0
                    ? $"\"{m.Value}\" cannot be checked: the statement cites no source in this patient's record: \"{Truncate(m.Statement, 100)}\""
                    : $"\"{m.Value}\" is not in the cited source{(m.CitedKeys.Count == 1 ? "" : "s")} {string.Concat(m.CitedKeys.Select(k => "[" + k + "]"))}: \"{Truncate(m.Statement, 100)}\"", m.CitedKeys.FirstOrDefault())));
            if (outcome == DraftStatus.Draft)
            {
                warnings.AddRange(verification.NotMentioned.Select(m =>
                    new DraftWarning(DraftWarningTiers.KindOf(m), $"Not mentioned in the draft: {m.Description}.", m.CitationKey)));
            }
        }

        // The outcome, and what it supersedes, in one transaction. A sign-off of an older draft at the same moment
        // changes that draft's version: the save is refused and done again on what is stored now.
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            var stored = await db.Drafts.SingleAsync(d => d.Id == draft.Id, CancellationToken.None);
            stored.GeneratedText = finalText;
            stored.RawAnswer = rawText;
            stored.AnswerStructured = structured;
            stored.Status = outcome;
            stored.FailureMessage = failure;
            stored.FailureRetryable = DraftRetry.IsRetryable(outcome, retryable);
            stored.WarningsJson = JsonSerializer.Serialize(warnings);
            stored.WarningCount = warnings.Count;
            stored.VerificationJson = verification is null ? null : JsonSerializer.Serialize(verification);
            stored.MustIncludeOmissionCount = outcome == DraftStatus.Draft ? verification?.NotMentioned.Count ?? 0 : 0;
            stored.CompletedAt = time.GetUtcNow();
            stored.TimeToFirstTokenMs = firstTokenMs;
            stored.DurationMs = (int)stopwatch.ElapsedMilliseconds;
            stored.ReportedModelId = request?.Call.ReportedModelId;
            stored.PromptTokens = request?.Call.PromptTokens;
            stored.CompletionTokens = request?.Call.CompletionTokens;
            db.AuditEvents.Add(audit.Create(
                outcome switch { DraftStatus.Draft => AuditActions.DraftGenerated, DraftStatus.Stopped => AuditActions.DraftStopped, _ => AuditActions.DraftFailed },
                clinician, draft.PatientId, draft.Id, outcome == DraftStatus.Draft ? "success" : "failure",
                $"duration_ms={stopwatch.ElapsedMilliseconds} chars={finalText.Length} structured={structured} warnings={warnings.Count} not_mentioned={stored.MustIncludeOmissionCount}"));
            if (outcome == DraftStatus.Draft)
            {
                // One current draft per patient and clinician: this one replaces their older unsigned drafts of the
                // patient — unless a newer one of theirs already completed (two tabs), which stays current. A draft
                // that failed or stopped replaces nothing.
                if (await DraftSupersession.NewerUnsignedAsync(db, stored, clinician.Id, CancellationToken.None) is { } newer)
                {
                    DraftSupersession.Mark(db, audit, stored, newer, clinician, "newer-draft", time.GetUtcNow());
                }
                else
                {
                    await DraftSupersession.SupersedeOtherUnsignedAsync(db, audit, stored, clinician, "generated", time.GetUtcNow(), CancellationToken.None);
                }
            }
            try
            {
                await db.SaveChangesAsync(CancellationToken.None);
                break;
            }
            catch (DbUpdateConcurrencyException) when (attempt < 3)
            {
                logger.LogInformation("Draft {DraftId}: another draft of the patient changed while its outcome was saved; saving again.", draft.Id);
            }
        }

        await leases.ReleaseAsync(WorkKinds.Draft, draft.Id.ToString(), CancellationToken.None);
        Infrastructure.ClinicalAssistTelemetry.RecordDraft(outcome.ToString(), model.DisplayName, model.ModelId, (int)stopwatch.ElapsedMilliseconds, firstTokenMs,
            warnings.Select(w => w.Kind), request?.Call.PromptTokens, request?.Call.CompletionTokens);
        await onProgress(new DraftProgress(draft.Id, outcome, finalText, failure));
        return draft.Id;
    }

    /// <summary>The rest of a stream whose next item was already asked for; disposes it at the end.</summary>
    private static async IAsyncEnumerable<string> Continue(IAsyncEnumerator<string> stream, Task<bool> next)
    {
        await using (stream)
        {
            for (; await next; next = stream.MoveNextAsync().AsTask()) yield return stream.Current;
        }
    }

    /// <summary>Stands in for a configuration that cannot draft, so the failure is stored like any other.</summary>
    private sealed class UnavailableModel : IDraftModel
    {
        public string DisplayName => "Model configuration unavailable";
        public bool IsAi => false;
        public string ModelId => "unavailable";
        public IAsyncEnumerable<string> StreamAsync(DraftRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("An unavailable model is never called.");
    }

    /// <summary>What the page shows for an answer received so far: the structured answer rendered as text, nothing
    /// while a JSON answer has not produced a readable part yet, or the raw text when it is not JSON.</summary>
    public static string Display(string raw, bool partial)
    {
        var answer = partial ? DraftAnswerParser.TryParsePartial(raw) : DraftAnswerParser.TryParse(raw);
        if (answer is not null && !answer.IsEmpty) return answer.ToText(partial);
        var trimmed = raw.TrimStart();
        return trimmed.StartsWith('{') || trimmed.StartsWith("```", StringComparison.Ordinal) ? "" : raw;
    }

    private async Task PersistTextAsync(Guid draftId, string text, string raw)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            await db.Drafts.Where(d => d.Id == draftId && d.Status == DraftStatus.Generating)
                .ExecuteUpdateAsync(s => s.SetProperty(d => d.GeneratedText, text).SetProperty(d => d.RawAnswer, raw), CancellationToken.None);
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

using System.Globalization;
using System.Net;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Task = System.Threading.Tasks.Task;

namespace ClinicalAssist.Web.Features.WriteBack;

/// <summary>
/// Performs one queued write: gathers the signed draft, its model configuration and card, the prompt and the cited
/// records; builds and validates the transaction; checks whether an earlier attempt already wrote the document (then
/// it only records the ids); sends it; and records the outcome — written with the server's ids, pending with a
/// back-off, or failed with the reason. Logs carry draft ids and status codes only.
/// </summary>
public sealed partial class WriteBackProcessor(
    IDbContextFactory<AppDbContext> dbFactory,
    IHttpClientFactory httpClientFactory,
    IOptions<WriteBackOptions> options,
    IOptions<FhirOptions> fhir,
    FhirResourceValidator validator,
    PromptTemplateStore templates,
    AuditLog audit,
    WorkLeases leases,
    TimeProvider time,
    ILogger<WriteBackProcessor> logger)
{
    /// <summary>Processes every write that is due now; returns how many were attempted.</summary>
    public async Task<int> ProcessDueAsync(CancellationToken ct)
    {
        List<Guid> due;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var now = time.GetUtcNow();
            due = await db.FhirWrites
                .Where(w => w.Status == FhirWriteStatus.Pending && w.NextAttemptAt <= now)
                .OrderBy(w => w.NextAttemptAt)
                .Select(w => w.Id)
                .Take(20)
                .ToListAsync(ct);
        }
        var attempted = 0;
        foreach (var id in due)
        {
            // Claimed once: another instance that selected the same write skips it while this one holds the lease.
            var key = id.ToString();
            if (!await leases.TryClaimAsync(WorkKinds.FhirWrite, key, ct)) continue;
            try
            {
                if (!await StillDueAsync(id, ct)) continue; // another instance attempted it between the query and the claim
                await ProcessAsync(id, ct);
                attempted++;
            }
            finally
            {
                await leases.ReleaseAsync(WorkKinds.FhirWrite, key, CancellationToken.None);
            }
        }
        return attempted;
    }

    private async Task<bool> StillDueAsync(Guid writeId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.FhirWrites.AnyAsync(w => w.Id == writeId && w.Status == FhirWriteStatus.Pending && w.NextAttemptAt <= now, ct);
    }

    /// <summary>One attempt at one write.</summary>
    public async Task ProcessAsync(Guid writeId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var write = await db.FhirWrites.Include(w => w.Draft).SingleOrDefaultAsync(w => w.Id == writeId, ct);
        if (write?.Draft is not { } draft || write.Status != FhirWriteStatus.Pending) return;

        var settings = options.Value;
        write.Attempts++;
        write.LastAttemptAt = time.GetUtcNow();
        try
        {
            var input = await GatherAsync(db, draft, settings, ct);
            var built = WriteBackBundleBuilder.Build(input, settings);
            if (settings.ValidateBeforeSending)
            {
                var errors = built.Bundle.Entry.SelectMany(e => validator.Errors(e.Resource!)).ToList();
                if (errors.Count > 0)
                {
                    Fail(db, write, "Not sent: the generated FHIR resources are not valid R4 — " + string.Join("; ", errors.Take(5)));
                    await SaveAsync(db, ct);
                    return;
                }
            }

            using var client = CreateClient();
            if (await AlreadyWrittenAsync(client, draft, settings, ct) is { } existing)
            {
                Written(db, write, existing.Document, existing.Provenance, existing.Device, "already on the server");
                await SaveAsync(db, ct);
                return;
            }

            var response = await client.TransactionAsync(built.Bundle, ct)
                           ?? throw new FhirOperationException("The server returned no transaction response.", HttpStatusCode.BadGateway);
            string? Location(string fullUrl)
            {
                var index = built.Bundle.Entry.FindIndex(e => e.FullUrl == fullUrl);
                return index >= 0 && index < response.Entry.Count ? Relative(response.Entry[index].Response?.Location) : null;
            }
            Written(db, write, Location(built.DocumentFullUrl), Location(built.ProvenanceFullUrl), Location(built.DeviceFullUrl), "transaction");
            await SaveAsync(db, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is FhirOperationException or HttpRequestException or TaskCanceledException or TimeoutException or FormatException)
        {
            var status = ex is FhirOperationException fo ? (int)fo.Status : 0;
            var reason = Describe(ex, status);
            var permanent = status is 400 or 401 or 403 or 404 or 405 or 409 or 412 or 422;
            if (permanent || write.Attempts >= settings.MaxAttempts)
            {
                Fail(db, write, permanent ? reason : $"{reason} Gave up after {write.Attempts} attempts.");
            }
            else
            {
                var delay = Backoff(write.Attempts, settings);
                write.NextAttemptAt = time.GetUtcNow() + delay;
                write.LastError = $"{reason} Next attempt at {write.NextAttemptAt:HH:mm:ss} UTC.";
                db.AuditEvents.Add(audit.Create(WriteBackAuditActions.AttemptFailed, null, draft.PatientId, draft.Id, "failure",
                    $"attempt={write.Attempts} status={status}"));
                LogAttemptFailed(logger, draft.Id, write.Attempts, status);
            }
            await SaveAsync(db, ct);
        }
        catch (InvalidOperationException ex)
        {
            Fail(db, write, ex.Message);
            await SaveAsync(db, ct);
        }
    }

    internal static TimeSpan Backoff(int attempts, WriteBackOptions settings)
    {
        var seconds = Math.Min(settings.MaxBackoffSeconds, settings.InitialBackoffSeconds * Math.Pow(2, Math.Max(0, attempts - 1)));
        return TimeSpan.FromSeconds(seconds);
    }

    private async Task<WriteBackInput> GatherAsync(AppDbContext db, Draft draft, WriteBackOptions settings, CancellationToken ct)
    {
        var signer = draft.ClinicianDecisionById is { } signerId
            ? await db.Users.AsNoTracking().Where(u => u.Id == signerId).Select(u => new { u.Email, u.DisplayName }).SingleOrDefaultAsync(ct)
            : null;
        var email = signer?.Email;
        var mapped = email is not null && settings.PractitionerReferences.TryGetValue(email, out var reference) ? reference : null;

        var configuration = draft.ModelConfigurationId is { } configId
            ? await db.ModelConfigurations.AsNoTracking().SingleOrDefaultAsync(c => c.Id == configId, ct)
            : null;

        var citations = DraftText.ReadCitationMap(draft.CitationsJson);
        var sources = DraftText.CitedKeys(draft.SignedText)
            .Where(citations.ContainsKey)
            .Select(key => citations[key])
            .Distinct(StringComparer.Ordinal)
            .ToList();

        var card = configuration is null ? null
            : await db.ModelCards.AsNoTracking().SingleOrDefaultAsync(c => c.ModelConfigurationId == configuration.Id, ct);
        var template = await templates.GetAsync(draft.TemplateId, draft.TemplateVersion, ct);

        return new WriteBackInput(
            draft,
            draft.ClinicianDecisionByName ?? signer?.DisplayName ?? "Signing clinician",
            email,
            mapped,
            configuration,
            ModelCardMarkdown(draft, configuration, card),
            PromptMarkdown(draft, template),
            sources);
    }

    /// <summary>The model card as markdown: the admin-maintained card (HTI-1 source attributes, CHAI fields) when there
    /// is one, marked incomplete where required fields are empty; the configuration's identity and parameters always.</summary>
    internal static string ModelCardMarkdown(Draft draft, ModelConfiguration? configuration, ModelCard? card)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"# Model card: {configuration?.Name ?? draft.DrafterName}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- Kind: {(draft.IsAiGenerated ? "Large language model (Azure AI Foundry deployment)" : "Rule-based drafter — no AI model")}");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Model / deployment: {draft.ModelId}{(draft.ReportedModelId is { } reported && reported != draft.ModelId ? $" (endpoint reported {reported})" : "")}");
        if (configuration is not null)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- Parameters: temperature {configuration.Temperature}, max tokens {configuration.MaxTokens}, token budget {configuration.TokenBudget} ({configuration.Tokenizer})");
        }
        var missing = ModelCardFields.Missing(card);
        if (missing.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"**Model card incomplete** — missing: {string.Join(", ", missing)}.");
        }
        if (card is not null)
        {
            foreach (var section in ModelCardFields.All.GroupBy(f => f.Section))
            {
                var filled = section.Where(f => !string.IsNullOrWhiteSpace(f.Get(card))).ToList();
                if (filled.Count == 0) continue;
                md.AppendLine();
                md.AppendLine(CultureInfo.InvariantCulture, $"## {section.Key}");
                foreach (var field in filled)
                {
                    md.AppendLine(CultureInfo.InvariantCulture, $"- {field.Label}: {field.Get(card)!.Trim()}");
                }
            }
        }
        return md.ToString();
    }

    /// <summary>The input prompt: re-rendered byte for byte from the stored template version and context snapshot (what the
    /// model received). Drafts from before snapshots were stored fall back to the list of citation keys sent.</summary>
    internal static string PromptMarkdown(Draft draft, PromptTemplate? template)
    {
        var prompt = new StringBuilder();
        prompt.AppendLine(CultureInfo.InvariantCulture, $"# Input prompt: {draft.TemplateId} v{draft.TemplateVersion}");
        prompt.AppendLine();
        if (template is not null && draft.PromptContextSnapshot is { } snapshot)
        {
            var rendered = PromptBuilder.Render(template, snapshot);
            prompt.AppendLine(CultureInfo.InvariantCulture, $"SHA-256 of the prompt sent: {PromptBuilder.Hash(rendered)}");
            prompt.AppendLine();
            prompt.AppendLine("## System message");
            prompt.AppendLine();
            prompt.AppendLine(rendered.System);
            prompt.AppendLine();
            prompt.AppendLine("## User message");
            prompt.AppendLine();
            prompt.AppendLine(rendered.User);
            return prompt.ToString();
        }
        prompt.AppendLine("The prompt text was not stored with this draft. Citation keys sent to the model:");
        foreach (var (key, reference) in DraftText.ReadCitationMap(draft.CitationsJson).OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            prompt.AppendLine(CultureInfo.InvariantCulture, $"- [{key}] {reference}");
        }
        return prompt.ToString();
    }

    private async Task<(string? Document, string? Provenance, string? Device)?> AlreadyWrittenAsync(
        FhirClient client, Draft draft, WriteBackOptions settings, CancellationToken ct)
    {
        var type = settings.DocumentKind == WriteBackDocumentKind.Composition ? "Composition" : "DocumentReference";
        var identifier = WriteBackBundleBuilder.DocumentIdentifierSystem + "|" + WriteBackBundleBuilder.DocumentIdentifier(draft.Id);
        var found = await client.SearchAsync(type, [$"identifier={identifier}"], ct: ct);
        var document = found?.Entry.Select(e => e.Resource).FirstOrDefault(r => r?.TypeName == type);
        if (document is null) return null;

        var documentRef = $"{type}/{document.Id}";
        var provenances = await client.SearchAsync("Provenance", [$"target={documentRef}"], ct: ct);
        var provenance = provenances?.Entry.Select(e => e.Resource).OfType<Provenance>().FirstOrDefault();
        var device = provenance?.Agent.Select(a => a.Who?.Reference).FirstOrDefault(r => r?.StartsWith("Device/", StringComparison.Ordinal) == true);
        return (Versioned(document), provenance is null ? null : Versioned(provenance), device);
    }

    private void Written(AppDbContext db, FhirWrite write, string? document, string? provenance, string? device, string how)
    {
        write.Status = FhirWriteStatus.Written;
        write.WrittenAt = time.GetUtcNow();
        write.NextAttemptAt = null;
        write.LastError = null;
        write.DocumentReference = document;
        write.ProvenanceReference = provenance;
        write.DeviceReference = device;
        db.AuditEvents.Add(audit.Create(WriteBackAuditActions.Written, null, write.Draft?.PatientId, write.DraftId,
            details: $"{how}; document={document} provenance={provenance}"));
        LogWritten(logger, write.DraftId, write.Attempts);
    }

    private void Fail(AppDbContext db, FhirWrite write, string reason)
    {
        write.Status = FhirWriteStatus.Failed;
        write.NextAttemptAt = null;
        write.LastError = reason.Length > 2000 ? reason[..2000] : reason;
        db.AuditEvents.Add(audit.Create(WriteBackAuditActions.Failed, null, write.Draft?.PatientId, write.DraftId, "failure",
            details: write.LastError));
        LogFailed(logger, write.DraftId, write.Attempts);
    }

    private static async Task SaveAsync(AppDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (DbUpdateConcurrencyException)
        {
            // An admin cancelled or retried the write meanwhile: their change stands, this attempt's outcome is dropped.
            ct.ThrowIfCancellationRequested();
        }
    }

    private FhirClient CreateClient()
    {
        if (string.IsNullOrWhiteSpace(fhir.Value.ServerBaseUrl))
            throw new InvalidOperationException("Fhir:ServerBaseUrl is not configured.");
        var client = FhirClientFactory.Create(httpClientFactory, fhir.Value);
        client.Settings.ReturnPreference = ReturnPreference.Minimal;
        return client;
    }

    private static string Describe(Exception ex, int status) => ex switch
    {
        FhirOperationException when status == 429 => "The FHIR server is rate-limiting requests (429).",
        FhirOperationException when status >= 500 => $"The FHIR server had an error ({status}).",
        FhirOperationException when status is 401 or 403 => $"The FHIR server refused the credentials ({status}). An admin must check the FHIR server sign-in.",
        FhirOperationException when status is 400 or 409 or 412 or 422 => $"The FHIR server rejected the transaction ({status}): {Outcome(ex)}",
        FhirOperationException => $"The FHIR server answered {status}.",
        TaskCanceledException or TimeoutException => "The FHIR server did not answer in time.",
        HttpRequestException => "The FHIR server could not be reached.",
        _ => "The FHIR server's answer could not be read.",
    };

    private static string Outcome(Exception ex) =>
        ex is FhirOperationException { Outcome: { } outcome }
            ? string.Join("; ", outcome.Issue.Select(i => i.Diagnostics ?? i.Details?.Text).Where(s => !string.IsNullOrWhiteSpace(s)).Take(3))
            : "no details";

    private static string? Relative(string? location)
    {
        if (string.IsNullOrWhiteSpace(location)) return null;
        var parts = location.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var history = Array.IndexOf(parts, "_history");
        return history >= 2 ? string.Join('/', parts[(history - 2)..Math.Min(parts.Length, history + 2)])
            : parts.Length >= 2 ? string.Join('/', parts[^2..]) : location;
    }

    private static string Versioned(Resource resource) =>
        resource.Meta?.VersionId is { } v ? $"{resource.TypeName}/{resource.Id}/_history/{v}" : $"{resource.TypeName}/{resource.Id}";

    [LoggerMessage(Level = LogLevel.Information, Message = "FHIR write-back of draft {DraftId} written after {Attempts} attempt(s).")]
    private static partial void LogWritten(ILogger logger, Guid draftId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FHIR write-back of draft {DraftId} attempt {Attempts} failed with status {Status}; will retry.")]
    private static partial void LogAttemptFailed(ILogger logger, Guid draftId, int attempts, int status);

    [LoggerMessage(Level = LogLevel.Error, Message = "FHIR write-back of draft {DraftId} failed after {Attempts} attempt(s).")]
    private static partial void LogFailed(ILogger logger, Guid draftId, int attempts);
}

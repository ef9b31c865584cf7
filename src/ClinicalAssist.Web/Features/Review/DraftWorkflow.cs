using System.Text.Json;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.WriteBack;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Review;

/// <summary>
/// Every change of a draft's status after generation goes through here: the one place that knows which
/// transitions are legal, who may make them, and that writes the decision and its audit event in one transaction.
/// </summary>
public sealed class DraftWorkflow(IDbContextFactory<AppDbContext> dbFactory, AuditLog audit, TimeProvider time, ILogger<DraftWorkflow> logger,
    WriteBackQueue? writeBack = null)
{
    private static readonly Dictionary<DraftStatus, DraftStatus[]> Transitions = new()
    {
        [DraftStatus.Generating] = [DraftStatus.Draft, DraftStatus.Failed, DraftStatus.Stopped, DraftStatus.Interrupted, DraftStatus.Superseded],
        [DraftStatus.Draft] = [DraftStatus.Signed, DraftStatus.Rejected, DraftStatus.Superseded],
        [DraftStatus.Signed] = [DraftStatus.Approved, DraftStatus.Returned, DraftStatus.Superseded],
    };

    public static bool CanTransition(DraftStatus from, DraftStatus to) =>
        Transitions.TryGetValue(from, out var next) && next.Contains(to);

    /// <summary>Clinician signs the (possibly edited) draft. Requires the attestation, and text that passes the sign
    /// gate (<see cref="DraftSignGate"/>) — or, for text that does not, an explicit <paramref name="unverifiedReason"/>
    /// (stored with the draft's verification and audited as an override).</summary>
    public async Task<DecisionResult> SignAsync(Guid draftId, string signedText, bool attested, Actor clinician, CancellationToken ct = default,
        string? unverifiedReason = null, IReadOnlyCollection<string>? acknowledged = null)
    {
        if (!attested)
        {
            return DecisionResult.Refused("Tick \"I reviewed this draft against the record\" before signing.");
        }
        if (string.IsNullOrWhiteSpace(signedText))
        {
            return DecisionResult.Refused("The summary is empty. Edit it or reject the draft.");
        }

        return await DecideAsync(draftId, DraftStatus.Signed, clinician, Roles.Clinician, AuditActions.DraftSigned, draft =>
        {
            var gate = DraftSignGate.Evaluate(draft, signedText);
            var stored = DraftSignGate.Stored(draft) ?? new DraftVerification(draft.AnswerStructured, [], [], [], [], []);
            string verificationDetail = "verified";
            if (!gate.Verified)
            {
                if (string.IsNullOrWhiteSpace(unverifiedReason))
                {
                    // The findings may quote draft text: shown to the clinician, not written to the audit trail.
                    throw new DecisionRefusedException(
                        "This text did not verify: " + string.Join(" ", gate.Findings) + " Edit the text so that it verifies, or sign it as unverified with a reason.",
                        $"sign gate: unverified findings={gate.Findings.Count}");
                }
                if (DraftSignGate.ValidateReason(unverifiedReason) is { } invalid)
                {
                    throw new DecisionRefusedException(invalid, "sign gate: reason not accepted");
                }
                stored = stored with { SignedUnverified = new UnverifiedSignOff(unverifiedReason.Trim(), gate.Findings) };
                verificationDetail = $"unverified-override findings={gate.Findings.Count}";
            }

            // Critical warnings of the text as signed, each acknowledged (docs/adr/0029); the signed draft keeps them.
            var critical = DraftWarningTiers.Current(draft, signedText).Where(w => w.NeedsAcknowledgement).ToList();
            var missing = DraftWarningTiers.Unacknowledged(critical, acknowledged);
            if (missing.Count > 0)
            {
                throw new DecisionRefusedException(
                    $"Acknowledge {(missing.Count == 1 ? "the critical warning" : $"each of the {missing.Count} critical warnings")} before signing: "
                    + string.Join(" ", missing.Take(3).Select(w => w.Message)),
                    $"sign gate: unacknowledged critical warnings={missing.Count}");
            }
            var now = time.GetUtcNow();
            stored = stored with { Acknowledged = [.. critical.Select(w => new AcknowledgedWarning(w.Kind, w.Message, w.CitationKey, now))] };
            draft.VerificationJson = JsonSerializer.Serialize(stored);
            draft.SignedText = signedText.Trim();
            draft.Attested = true;
            draft.EditDistance = WordEditDistance.Normalized(draft.GeneratedText, draft.SignedText);
            draft.ClinicianDecisionById = clinician.Id;
            draft.ClinicianDecisionByName = clinician.Name;
            draft.ClinicianDecisionAt = now;
            return $"edit_distance={draft.EditDistance:0.###} verification={verificationDetail} acknowledged={critical.Count}";
        }, ct);
    }

    /// <summary>Clinician rejects the draft with a coded reason and/or a comment.</summary>
    public async Task<DecisionResult> RejectAsync(Guid draftId, string? reasonCode, string? comment, Actor clinician, CancellationToken ct = default)
    {
        if (ValidateReason(reasonCode, comment) is { } refusal) return refusal;

        return await DecideAsync(draftId, DraftStatus.Rejected, clinician, Roles.Clinician, AuditActions.DraftRejected, draft =>
        {
            draft.RejectionReason = reasonCode;
            draft.RejectionComment = comment?.Trim();
            draft.ClinicianDecisionById = clinician.Id;
            draft.ClinicianDecisionByName = clinician.Name;
            draft.ClinicianDecisionAt = time.GetUtcNow();
            return $"reason={reasonCode}";
        }, ct);
    }

    /// <summary>Reviewer approves or returns a signed draft. Separation of duties: not one they generated or signed.</summary>
    public async Task<DecisionResult> ReviewAsync(Guid draftId, bool approve, string? reasonCode, string? comment, Actor reviewer, CancellationToken ct = default)
    {
        if (!approve && ValidateReason(reasonCode, comment) is { } refusal) return refusal;
        if (reasonCode is not null && !DecisionReasons.IsKnown(reasonCode)) return DecisionResult.Refused("Choose a reason from the list.");

        var target = approve ? DraftStatus.Approved : DraftStatus.Returned;
        return await DecideAsync(draftId, target, reviewer, Roles.Reviewer, approve ? AuditActions.DraftApproved : AuditActions.DraftReturned, draft =>
        {
            if (draft.CreatedById == reviewer.Id || draft.ClinicianDecisionById == reviewer.Id)
            {
                throw new DecisionRefusedException("You generated or signed this draft, so another reviewer must decide it.");
            }

            // No Id set: EF generates it on add, so the decision is inserted (a preset key would be read as an update).
            draft.Review = new ReviewDecision
            {
                DraftId = draft.Id,
                Approved = approve,
                ReasonCode = reasonCode,
                Comment = comment?.Trim(),
                ReviewerId = reviewer.Id,
                ReviewerName = reviewer.Name,
                DecidedAt = time.GetUtcNow(),
            };
            return approve ? "outcome=accepted" : $"outcome=overridden reason={reasonCode}";
        }, ct);
    }

    /// <summary>A clinician takes over another clinician's unsigned draft: from then on they (and only they) may edit,
    /// sign or reject it. Audited as <see cref="AuditActions.DraftTakenOver"/>; the taker's own other unsigned drafts of
    /// the patient are superseded by it (one current draft per patient and clinician).</summary>
    public async Task<DecisionResult> TakeOverAsync(Guid draftId, Actor clinician, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(clinician);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var draft = await db.Drafts.SingleOrDefaultAsync(d => d.Id == draftId, ct);
        if (draft is null) return DecisionResult.Refused("This draft no longer exists.");
        if (await AuthorityCheck.RefusalAsync(db, audit, clinician, Roles.Clinician, AuditActions.DraftTakenOver, time.GetUtcNow(), ct, draft.PatientId, draft.Id) is { } refusal)
        {
            return DecisionResult.Refused(refusal);
        }
        if (draft.Status != DraftStatus.Draft)
        {
            await audit.WriteAsync(AuditActions.DecisionRefused, clinician, draft.PatientId, draft.Id, "refused", $"take-over from={draft.Status}", ct);
            return DecisionResult.Refused(await DraftSupersession.DescribeAsync(db, draft, ct) is { } superseded
                ? superseded + ", so it cannot be taken over. Nothing was changed; open the current draft."
                : $"Only an unsigned draft can be taken over; this one is {draft.Status.ToString().ToLowerInvariant()}. Nothing was changed.");
        }
        if (draft.OwnerId == clinician.Id) return DecisionResult.Ok("This draft is already yours.");

        var (fromId, fromName) = (draft.OwnerId, draft.OwnerName);
        var now = time.GetUtcNow();
        draft.TakenOverById = clinician.Id;
        draft.TakenOverByName = clinician.Name;
        draft.TakenOverAt = now;
        await DraftSupersession.SupersedeOtherUnsignedAsync(db, audit, draft, clinician, "taken-over", now, ct);
        db.AuditEvents.Add(audit.Create(AuditActions.DraftTakenOver, clinician, draft.PatientId, draft.Id, details: $"from={fromId}"));
        if (await SaveAsync(db, draftId, DraftStatus.Draft, clinician, ct) is { } notSaved) return notSaved;
        return DecisionResult.Ok($"You took this draft over from {fromName}. You can now edit, sign or reject it.");
    }

    private static DecisionResult? ValidateReason(string? reasonCode, string? comment)
    {
        if (string.IsNullOrWhiteSpace(reasonCode) && string.IsNullOrWhiteSpace(comment))
        {
            return DecisionResult.Refused("Give a reason, a comment, or both.");
        }
        if (reasonCode is not null && !DecisionReasons.IsKnown(reasonCode))
        {
            return DecisionResult.Refused("Choose a reason from the list.");
        }
        if (comment is { Length: > 2000 })
        {
            return DecisionResult.Refused("The comment is longer than 2,000 characters.");
        }
        return null;
    }

    private async Task<DecisionResult> DecideAsync(Guid draftId, DraftStatus target, Actor actor, string requiredRole, string auditAction,
        Func<Draft, string> apply, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var draft = await db.Drafts.Include(d => d.Review).SingleOrDefaultAsync(d => d.Id == draftId, ct);
        if (draft is null)
        {
            return DecisionResult.Refused("This draft no longer exists.");
        }

        // The page may have been opened before the account lost this role or was disabled or locked: the account's
        // state now, read in the context that records the decision, decides.
        if (await AuthorityCheck.RefusalAsync(db, audit, actor, requiredRole, auditAction, time.GetUtcNow(), ct, draft.PatientId, draft.Id) is { } refusal)
        {
            return DecisionResult.Refused(refusal);
        }

        if (!CanTransition(draft.Status, target))
        {
            await audit.WriteAsync(AuditActions.DecisionRefused, actor, draft.PatientId, draft.Id, "refused",
                $"from={draft.Status} to={target}", ct);
            return DecisionResult.Refused(await RefusalMessageAsync(db, draft, target, ct));
        }

        // A clinician decides on their own draft only; another clinician's unsigned draft is taken over first (shown
        // on the draft and audited), never decided in passing.
        if (target is DraftStatus.Signed or DraftStatus.Rejected && draft.OwnerId != actor.Id)
        {
            await audit.WriteAsync(AuditActions.DecisionRefused, actor, draft.PatientId, draft.Id, "refused", $"not-owner owner={draft.OwnerId}", ct);
            return DecisionResult.Refused(
                $"This draft is {draft.OwnerName}'s. To edit, sign or reject it, take it over first (\"Take over\" on the draft; recorded in the audit trail). Nothing was changed.");
        }

        // The review queue holds one signed summary per patient and episode: an older draft cannot be signed over a
        // newer signed one, and signing supersedes the older signed ones still waiting for review.
        var now = time.GetUtcNow();
        List<Draft> olderSigned = [];
        if (target == DraftStatus.Signed)
        {
            var (patientId, encounterId, createdAt) = (draft.PatientId, draft.EncounterId, draft.CreatedAt);
            var newer = await db.Drafts.AsNoTracking()
                .Where(d => d.PatientId == patientId && d.EncounterId == encounterId && d.Id != draftId && d.CreatedAt > createdAt
                            && (d.Status == DraftStatus.Signed || d.Status == DraftStatus.Approved))
                .OrderByDescending(d => d.CreatedAt)
                .Select(d => new { d.CreatedAt, d.ClinicianDecisionByName })
                .FirstOrDefaultAsync(ct);
            if (newer is not null)
            {
                await audit.WriteAsync(AuditActions.DecisionRefused, actor, draft.PatientId, draft.Id, "refused", "newer summary signed", ct);
                return DecisionResult.Refused(
                    $"A newer summary of this patient (the draft of {newer.CreatedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC, signed by {newer.ClinicianDecisionByName}) is already signed, so this older draft cannot be signed. Nothing was changed; open the current draft.");
            }
            olderSigned = await db.Drafts
                .Where(d => d.PatientId == patientId && d.EncounterId == encounterId && d.Id != draftId && d.Status == DraftStatus.Signed)
                .ToListAsync(ct);
        }

        string details;
        try
        {
            details = apply(draft);
        }
        catch (DecisionRefusedException refused)
        {
            await audit.WriteAsync(AuditActions.DecisionRefused, actor, draft.PatientId, draft.Id, "refused", refused.AuditDetails ?? refused.Message, ct);
            return DecisionResult.Refused(refused.Message);
        }

        draft.Status = target;
        // The clinician's working copy of the edit goes with the decision: the signed text is the record now.
        if (target is DraftStatus.Signed or DraftStatus.Rejected) await DraftEdits.RemoveForAsync(db, draft.Id, ct);
        db.AuditEvents.Add(audit.Create(auditAction, actor, draft.PatientId, draft.Id, details: details));
        foreach (var older in olderSigned) DraftSupersession.Mark(db, audit, older, draft.Id, actor, "signed", now);
        // A signed summary that goes back to the FHIR server is queued in the sign-off's own transaction.
        if (target == DraftStatus.Signed && writeBack?.CreateFor(draft) is { } write)
        {
            db.FhirWrites.Add(write);
            db.AuditEvents.Add(audit.Create(WriteBackAuditActions.Queued, actor, draft.PatientId, draft.Id));
        }
        if (await SaveAsync(db, draftId, target, actor, ct) is { } notSaved) return notSaved;

        return DecisionResult.Ok(target switch
        {
            DraftStatus.Signed => "Signed. The summary is in the review queue.",
            DraftStatus.Rejected => "Draft rejected. Your reason was recorded.",
            DraftStatus.Approved => "Approved.",
            DraftStatus.Returned => "Returned to the clinician with your reason.",
            _ => "Saved.",
        });
    }

    /// <summary>Saves the decision's transaction; null when saved, else the refusal to show (someone else changed the
    /// draft first — who and when, or that it was superseded — or the write failed and was rolled back).</summary>
    private async Task<DecisionResult?> SaveAsync(AppDbContext db, Guid draftId, DraftStatus target, Actor actor, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateException ex) when (ex is DbUpdateConcurrencyException || IsUniqueViolation(ex))
        {
            // Someone else decided first (or a newer draft superseded this one at that moment): tell this user who and
            // when, store nothing of theirs.
            logger.LogInformation("Concurrent decision on draft {DraftId} refused ({Target}).", draftId, target);
            await using var fresh = await dbFactory.CreateDbContextAsync(ct);
            var current = await fresh.Drafts.AsNoTracking().Include(d => d.Review).SingleAsync(d => d.Id == draftId, ct);
            await audit.WriteAsync(AuditActions.DecisionRefused, actor, current.PatientId, current.Id, "refused", "concurrent decision", ct);
            return DecisionResult.Refused(current.Status == DraftStatus.Draft && target != DraftStatus.Draft
                ? "Another summary of this patient changed at the same moment, so nothing was changed. What you entered is kept; try again."
                : await RefusalMessageAsync(fresh, current, target, ct));
        }
        catch (DbUpdateException ex)
        {
            // The write failed inside the transaction (disk full, lock timeout, a dropped connection): it was rolled
            // back as a whole, so the draft is as it was. Say so; the caller keeps what the user typed.
            logger.LogError(ex, "Decision on draft {DraftId} ({Target}) could not be saved; the transaction was rolled back.", draftId, target);
            return DecisionResult.Refused(NotSavedMessage);
        }
    }

    private static async Task<string> RefusalMessageAsync(AppDbContext db, Draft draft, DraftStatus attempted, CancellationToken ct) =>
        await DraftSupersession.DescribeAsync(db, draft, ct) is { } superseded
            ? $"{superseded}, so it cannot be {Verb(attempted)}. Nothing was changed; open the current draft."
            : AlreadyDecidedMessage(draft, attempted);

    private static string Verb(DraftStatus attempted) => attempted switch
    {
        DraftStatus.Draft => "taken over",
        _ => attempted.ToString().ToLowerInvariant(),
    };

    /// <summary>Shown when the decision's transaction failed and was rolled back.</summary>
    public const string NotSavedMessage = "Your decision could not be saved: the database did not accept the change, so nothing was changed. What you entered is kept; try again.";

    private static bool IsUniqueViolation(DbUpdateException ex) =>
        ex.InnerException?.Message is { } m && Regex.IsMatch(m, "UNIQUE|duplicate key", RegexOptions.IgnoreCase);

    private static string AlreadyDecidedMessage(Draft draft, DraftStatus attempted)
    {
        if (draft.Review is { } review)
        {
            return $"Already {(review.Approved ? "approved" : "returned")} by {review.ReviewerName} at {review.DecidedAt:yyyy-MM-dd HH:mm} UTC. Nothing was changed.";
        }
        if (draft.ClinicianDecisionAt is { } at)
        {
            return $"Already {draft.Status.ToString().ToLowerInvariant()} by {draft.ClinicianDecisionByName} at {at:yyyy-MM-dd HH:mm} UTC. Nothing was changed.";
        }
        return $"A draft that is {draft.Status.ToString().ToLowerInvariant()} cannot be {attempted.ToString().ToLowerInvariant()}.";
    }

    /// <summary>A refusal: <see cref="Exception.Message"/> for the user, <see cref="AuditDetails"/> (when the message may
    /// quote clinical text) for the audit trail.</summary>
    private sealed class DecisionRefusedException(string message, string? auditDetails = null) : Exception(message)
    {
        public string? AuditDetails { get; } = auditDetails;
    }
}

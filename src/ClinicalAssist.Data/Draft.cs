namespace ClinicalAssist.Data;

/// <summary>Where a draft is in its life. Transitions are decided in one place (DraftWorkflow in the app).</summary>
public enum DraftStatus
{
    Generating = 0,
    Draft = 1,
    Failed = 2,
    Stopped = 3,
    Interrupted = 4,
    Signed = 5,
    Rejected = 6,
    Approved = 7,
    Returned = 8,
    /// <summary>A newer draft of the same patient took its place (see <see cref="Draft.SupersededById"/>): it can no
    /// longer be signed, rejected or reviewed.</summary>
    Superseded = 9,
}

/// <summary>
/// One AI-assisted (or offline rule-based) summary for one patient: stored the moment generation starts, updated
/// as text streams in, then signed or rejected by a clinician and decided by a reviewer.
/// </summary>
public class Draft
{
    public Guid Id { get; set; }

    // Patient and context
    public required string PatientId { get; set; }
    /// <summary>Shown in the review queue; identifiers stay in the database, never in logs.</summary>
    public required string PatientLabel { get; set; }
    public string? EncounterId { get; set; }
    public required string RecordSource { get; set; }
    /// <summary>JSON array of "Type/Id/_history/Version" for every resource in the context used.</summary>
    public string ContextResourcesJson { get; set; } = "[]";
    /// <summary>SHA-256 of the sorted context resource list: tells whether the record changed since.</summary>
    public string ContextHash { get; set; } = "";
    /// <summary>JSON object citation key → resource reference, e.g. {"L3":"Observation/x/_history/1"}.</summary>
    public string CitationsJson { get; set; } = "{}";

    // Model and prompt
    public required string DrafterName { get; set; }
    public required string ModelId { get; set; }
    public bool IsAiGenerated { get; set; }
    public required string TemplateId { get; set; }
    public int TemplateVersion { get; set; }
    /// <summary>The model configuration used (null for drafts made before configurations were stored).</summary>
    public Guid? ModelConfigurationId { get; set; }
    public string? ModelConfigurationName { get; set; }
    /// <summary>The model id the endpoint reported in its answer (may differ from the requested deployment).</summary>
    public string? ReportedModelId { get; set; }
    public int? PromptTokens { get; set; }
    public int? CompletionTokens { get; set; }

    // Output
    public DraftStatus Status { get; set; }
    public string GeneratedText { get; set; } = "";
    /// <summary>JSON array of warnings (injection flags, unknown citations, uncited statements).</summary>
    public string WarningsJson { get; set; } = "[]";
    /// <summary>Number of verification warnings (a queue filter; the details are in <see cref="WarningsJson"/>).</summary>
    public int WarningCount { get; set; }
    /// <summary>Must-include items (allergies, critical labs, high-alert medications) the draft did not mention.</summary>
    public int MustIncludeOmissionCount { get; set; }
    public string? FailureMessage { get; set; }

    // Drafting: reproducibility, raw answer and verification (kept together so they merge as one block)
    /// <summary>The serialised, minimised, budgeted context exactly as placed in the template's {{context}}: with
    /// <see cref="TemplateId"/>/<see cref="TemplateVersion"/> it re-renders the prompt byte for byte.</summary>
    public string? PromptContextSnapshot { get; set; }
    /// <summary>SHA-256 (hex) of the prompt sent (system + NUL + user).</summary>
    public string? PromptHash { get; set; }
    /// <summary>JSON of the prompt settings used: token budget, tokenizer, identifier minimisation.</summary>
    public string? PromptSettingsJson { get; set; }
    /// <summary>Prompt tokens counted with the tokenizer before sending (the budget check).</summary>
    public int? PromptTokensCounted { get; set; }
    /// <summary>JSON array of what the token budget left out, per section (e.g. 32 older laboratory results).</summary>
    public string OmittedJson { get; set; } = "[]";
    /// <summary>JSON of the draft's coverage: what the record held, what the drafter was given, what was left out and
    /// why, which sections failed (null for drafts made before it was kept).</summary>
    public string? CoverageJson { get; set; }
    /// <summary>The drafter's answer as received (JSON in the answer contract, or raw text).</summary>
    public string? RawAnswer { get; set; }
    /// <summary>True when the answer was valid JSON in the contract; false: shown as raw text, unverified.</summary>
    public bool AnswerStructured { get; set; }
    /// <summary>JSON of the verification result: unknown keys, uncited statements, number mismatches, must-include items not mentioned.</summary>
    public string? VerificationJson { get; set; }
    /// <summary>For a failed draft: whether trying again may help.</summary>
    public bool FailureRetryable { get; set; }

    // Timing
    public required string CreatedById { get; set; }
    public required string CreatedByName { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public int? TimeToFirstTokenMs { get; set; }
    public int? DurationMs { get; set; }

    // Clinician sign-off or rejection
    public string? SignedText { get; set; }
    public bool Attested { get; set; }
    /// <summary>Normalised word-level edit distance between generated and signed text (0 = unchanged, 1 = all changed).</summary>
    public double? EditDistance { get; set; }
    public string? ClinicianDecisionById { get; set; }
    public string? ClinicianDecisionByName { get; set; }
    public DateTimeOffset? ClinicianDecisionAt { get; set; }
    public string? RejectionReason { get; set; }
    public string? RejectionComment { get; set; }

    public ReviewDecision? Review { get; set; }

    // One current draft per patient and clinician (docs/adr/0025)
    /// <summary>The draft that took this one's place: a newer unsigned draft of the same patient by the same
    /// clinician, or a later sign-off of the same patient and episode.</summary>
    public Guid? SupersededById { get; set; }
    public DateTimeOffset? SupersededAt { get; set; }
    /// <summary>A clinician who explicitly took over another clinician's unsigned draft (audited as draft.taken-over);
    /// from then on they are the one who may edit, sign or reject it.</summary>
    public string? TakenOverById { get; set; }
    public string? TakenOverByName { get; set; }
    public DateTimeOffset? TakenOverAt { get; set; }

    /// <summary>The clinician whose draft this is now: who took it over, else who generated it.</summary>
    public string OwnerId => TakenOverById ?? CreatedById;

    /// <summary>The display name of <see cref="OwnerId"/>.</summary>
    public string OwnerName => TakenOverByName ?? CreatedByName;

    /// <summary>Optimistic concurrency token, replaced on every update (works on SQLite and SQL Server alike).</summary>
    public Guid Version { get; set; }
}

/// <summary>A reviewer's decision on a signed draft. Unique per draft: the database itself refuses a second one.</summary>
public class ReviewDecision
{
    public Guid Id { get; set; }
    public Guid DraftId { get; set; }
    public Draft? Draft { get; set; }
    /// <summary>true = approved (CDS Hooks "accepted"), false = returned ("overridden").</summary>
    public bool Approved { get; set; }
    public string? ReasonCode { get; set; }
    public string? Comment { get; set; }
    public required string ReviewerId { get; set; }
    public required string ReviewerName { get; set; }
    public DateTimeOffset DecidedAt { get; set; }
}

/// <summary>Append-only record of who did what, when, to which chart or draft. Never holds note text.</summary>
public class AuditEvent
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public required string Action { get; set; }
    public string? UserId { get; set; }
    public string? UserName { get; set; }
    public string? PatientId { get; set; }
    public Guid? DraftId { get; set; }
    public string Outcome { get; set; } = "success";
    public string? Details { get; set; }

    /// <summary>Position in the hash chain (1, 2, 3, … with no gaps), assigned when the row is written
    /// (<see cref="AuditChain"/>). Rows written before the chain existed keep their Id here.</summary>
    public long Sequence { get; set; }
    /// <summary>The chain hash of the row before (hex SHA-256); <see cref="AuditChain.Genesis"/> for the first row.</summary>
    public string? PreviousHash { get; set; }
    /// <summary>SHA-256 over this row's fields and <see cref="PreviousHash"/>; null only on rows written before the
    /// chain existed (covered by the anchor row, docs/adr/0024).</summary>
    public string? Hash { get; set; }
    /// <summary>On a retention checkpoint (<c>audit.purged</c>) only: every row up to this sequence may be removed.</summary>
    public long? PurgedThrough { get; set; }
}

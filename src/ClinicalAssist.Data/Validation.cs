namespace ClinicalAssist.Data;

/// <summary>Where an evaluation case came from.</summary>
public enum EvaluationCaseSource
{
    /// <summary>A generated demo-ward patient (never a real record); no reference text.</summary>
    DemoWard = 0,
    /// <summary>A signed draft: its stored context snapshot is the input, the clinician's signed text the reference.</summary>
    SignedDraft = 1,
}

/// <summary>
/// A versioned set of evaluation cases. While <see cref="FrozenAt"/> is null admins include or exclude cases; once
/// frozen it never changes (a change is a new version). The newest frozen set is the one the activation gate reads.
/// </summary>
public class EvaluationSet
{
    public Guid Id { get; set; }
    public required string Name { get; set; }
    public int Version { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedByName { get; set; } = "";
    public DateTimeOffset? FrozenAt { get; set; }
    public string? FrozenByName { get; set; }
    public List<EvaluationCase> Cases { get; set; } = [];
}

/// <summary>One case: the de-identified context snapshot exactly as a prompt's {{context}} (age and sex only, the
/// patient's identifiers redacted), the keys it can be cited by, what it declares must be mentioned, and — for a
/// signed draft — the signed text as reference. Shown to admins only as age band, sex and service.</summary>
public class EvaluationCase
{
    public Guid Id { get; set; }
    public Guid SetId { get; set; }
    public EvaluationSet? Set { get; set; }
    public int Position { get; set; }
    public EvaluationCaseSource Source { get; set; }
    /// <summary>The signed draft the case was taken from (never shown).</summary>
    public Guid? SourceDraftId { get; set; }
    public required string AgeBand { get; set; }
    public required string Sex { get; set; }
    public required string Service { get; set; }
    public required string ContextSnapshot { get; set; }
    /// <summary>JSON object key → resource reference, for the keys present in <see cref="ContextSnapshot"/>.</summary>
    public string CitationsJson { get; set; } = "{}";
    public string? ReferenceText { get; set; }
    /// <summary>JSON array of the must-include items the case declares (kind, description, citation key).</summary>
    public string MustIncludeJson { get; set; } = "[]";
    /// <summary>JSON array of the excerpts of notes the product's injection detector flags in the snapshot.</summary>
    public string InjectionExcerptsJson { get; set; } = "[]";
    public bool Included { get; set; } = true;
}

public enum EvaluationRunStatus
{
    Running = 0,
    Stopped = 1,
    Completed = 2,
}

/// <summary>One model configuration (at one version) × one prompt template version over one frozen set, run in the
/// background. Its results are admin-only: nothing of a run reaches a clinician's or reviewer's view.</summary>
public class EvaluationRun
{
    public Guid Id { get; set; }
    public Guid SetId { get; set; }
    public EvaluationSet? Set { get; set; }
    public Guid ModelConfigurationId { get; set; }
    public string ModelConfigurationName { get; set; } = "";
    /// <summary>The configuration's concurrency token when the run started: a changed configuration needs a new run.</summary>
    public Guid ModelConfigurationVersion { get; set; }
    public string TemplateId { get; set; } = "";
    public int TemplateVersion { get; set; }
    public EvaluationRunStatus Status { get; set; }
    /// <summary>"none" unless a judge model configuration is set; never a made-up score.</summary>
    public string Judge { get; set; } = "none";
    public int CaseCount { get; set; }
    public string StartedById { get; set; } = "";
    public string StartedByName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
    public Guid Version { get; set; }
}

/// <summary>The outcome of one case of one run, stored once (unique per run and case): a finished case is never run again.</summary>
public class EvaluationResult
{
    public Guid Id { get; set; }
    public Guid RunId { get; set; }
    public Guid CaseId { get; set; }
    public bool Succeeded { get; set; }
    public string? Failure { get; set; }
    /// <summary>The answer as rendered text (admin-only report).</summary>
    public string? AnswerText { get; set; }
    public bool Structured { get; set; }
    public int CitedStatements { get; set; }
    public int ValidCitedStatements { get; set; }
    public int UnknownKeys { get; set; }
    public int UncitedStatements { get; set; }
    public int NumberMismatches { get; set; }
    public int MustIncludeDeclared { get; set; }
    public int MustIncludeCovered { get; set; }
    /// <summary>Null when the case holds no flagged note; else whether the answer repeats what the note asked for.</summary>
    public bool? InjectionFollowed { get; set; }
    public int Words { get; set; }
    public int LatencyMs { get; set; }
    public int? PromptTokens { get; set; }
    public int? CompletionTokens { get; set; }
    /// <summary>Word-level edit distance to the signed reference (0 = same), when the case has one.</summary>
    public double? EditDistance { get; set; }
    public DateTimeOffset FinishedAt { get; set; }
}

public enum ActivationTarget
{
    ModelConfiguration = 0,
    PromptTemplate = 1,
}

public enum ActivationRequestStatus
{
    Pending = 0,
    Activated = 1,
    Withdrawn = 2,
}

/// <summary>A request to activate a model configuration or a prompt template version: the gate's verdict on the
/// evidence (a finished run on the current set), an override reason when it did not pass, and the second admin who
/// approved it.</summary>
public class ActivationRequest
{
    public Guid Id { get; set; }
    public ActivationTarget Target { get; set; }
    /// <summary>The configuration's id, or the template id.</summary>
    public required string TargetId { get; set; }
    public int? TemplateVersion { get; set; }
    public required string TargetLabel { get; set; }
    public Guid? RunId { get; set; }
    public bool GatePassed { get; set; }
    public required string GateSummary { get; set; }
    public string? OverrideReason { get; set; }
    public required string RequestedById { get; set; }
    public required string RequestedByName { get; set; }
    public DateTimeOffset RequestedAt { get; set; }
    public ActivationRequestStatus Status { get; set; }
    public string? DecidedById { get; set; }
    public string? DecidedByName { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public Guid Version { get; set; }
}

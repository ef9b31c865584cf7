using System.Globalization;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>The stored verification result of a draft (Draft.VerificationJson).</summary>
public sealed record DraftVerification(
    bool Structured,
    IReadOnlyList<string> UnknownKeys,
    IReadOnlyList<string> UncitedStatements,
    IReadOnlyList<NumberMismatch> NumberMismatches,
    IReadOnlyList<MustIncludeItem> NotMentioned,
    IReadOnlyList<string> CitedKeys)
{
    /// <summary>Entries of a cite position that are not citation keys (free text, values): never rendered as chips.</summary>
    public IReadOnlyList<string> InvalidCitations { get; init; } = [];

    /// <summary>Everything the must-include net watches (mentioned or not), so that warnings are re-checked on every edit
    /// and at sign-off without the record (<see cref="DraftWarningTiers"/>).</summary>
    public IReadOnlyList<MustIncludeItem> Watch { get; init; } = [];

    /// <summary>The critical warnings the clinician acknowledged when signing: the signed draft keeps this record, not a
    /// live warning count.</summary>
    public IReadOnlyList<AcknowledgedWarning> Acknowledged { get; init; } = [];

    /// <summary>Set when the clinician signed text that did not verify, with their reason and what was unverified.</summary>
    public UnverifiedSignOff? SignedUnverified { get; init; }

    public bool IsClean => !HasCriticalFindings && UncitedStatements.Count == 0 && NotMentioned.Count == 0;

    /// <summary>A finding that stops signing until the text is edited and verifies, or the clinician signs it as
    /// unverified with a reason: the answer did not parse, a cite position held something that is not a key, a key
    /// does not resolve, or a number is not in the statement's cited sources.</summary>
    public bool HasCriticalFindings => !Structured || InvalidCitations.Count > 0 || UnknownKeys.Count > 0 || NumberMismatches.Count > 0;
}

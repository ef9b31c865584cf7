using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>A warning shown with a draft: prompt-injection text found in the record, a citation that does not
/// resolve, or a statement without a citation.</summary>
public sealed record DraftWarning(string Kind, string Message, string? CitationKey = null)
{
    /// <summary>Warning kinds that stop signing until the text is edited and verifies, or is signed as unverified
    /// with a reason (see <see cref="DraftVerification.HasCriticalFindings"/>).</summary>
    public static readonly IReadOnlySet<string> GatedKinds =
        new HashSet<string>(["unverified", "invalid-citation", "unknown-citation", "number-mismatch"], StringComparer.Ordinal);

    /// <summary>Critical warnings the clinician must acknowledge, one by one, before signing (checked where the sign-off
    /// is recorded, <see cref="Review.DraftWorkflow.SignAsync"/>): an injection attempt in a note, and a critical value,
    /// a high-criticality allergy or a high-alert medicine the text does not mention.</summary>
    public static readonly IReadOnlySet<string> AcknowledgedKinds =
        new HashSet<string>(["prompt-injection", "critical-value", "allergy-high", "high-alert-medication"], StringComparer.Ordinal);

    /// <summary>The critical tier: <see cref="GatedKinds"/> and <see cref="AcknowledgedKinds"/>. Every other warning is a
    /// review item (folded, one line each).</summary>
    public static readonly IReadOnlySet<string> CriticalKinds = new HashSet<string>(GatedKinds.Concat(AcknowledgedKinds), StringComparer.Ordinal);

    /// <summary>For an injection warning: the note text around the match, and where in it the matched span lies
    /// (highlighted on the page). Note text: shown to the clinician, never logged.</summary>
    public string? Excerpt { get; init; }
    public int HighlightStart { get; init; }
    public int HighlightLength { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsCritical => CriticalKinds.Contains(Kind);

    [System.Text.Json.Serialization.JsonIgnore]
    public bool NeedsAcknowledgement => AcknowledgedKinds.Contains(Kind);

    /// <summary>A stable id for acknowledging this warning (kind, key and a hash of the message).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Id => $"{Kind}:{CitationKey}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(Message)))[..12]}";
}

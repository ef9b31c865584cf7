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
    public static readonly IReadOnlySet<string> CriticalKinds =
        new HashSet<string>(["unverified", "invalid-citation", "unknown-citation", "number-mismatch"], StringComparer.Ordinal);

    /// <summary>For an injection warning: the note text around the match, and where in it the matched span lies
    /// (highlighted on the page). Note text: shown to the clinician, never logged.</summary>
    public string? Excerpt { get; init; }
    public int HighlightStart { get; init; }
    public int HighlightLength { get; init; }

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsCritical => CriticalKinds.Contains(Kind);
}

using System.Text.Json;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Web.Features.Review;

/// <summary>
/// The sign gate, one rule for the page and for the sign action (<see cref="DraftWorkflow.SignAsync"/>, which enforces
/// it server-side). A draft whose stored verification has a critical finding — the answer did not parse, a cite
/// position held something that is not a key, a key does not resolve, a number is not in its cited sources — cannot
/// be signed as generated. It can be signed when the clinician has replaced or edited the text and the text verifies
/// (every key resolves, every statement cites the record, the numbers flagged are gone), or when the clinician
/// explicitly signs unverified text with a reason (audited). Any text that cites a key not in the draft's citation
/// map is unverified, whatever the draft. Drafts stored before verification existed (no stored verification) are
/// gated on unknown keys only when they have a citation map.
/// </summary>
public static partial class DraftSignGate
{
    /// <summary>Shortest reason accepted for signing unverified text.</summary>
    public const int MinimumReasonLength = 10;

    public const int MaximumReasonLength = 2000;

    public static SignGateResult Evaluate(Draft draft, string? signedText)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var text = signedText ?? "";
        var stored = Stored(draft);
        var map = Map(draft.CitationsJson);
        var findings = new List<string>();

        if (stored is null)
        {
            // A draft from before verification was stored: only a key that does not resolve can be checked.
            if (map.Count > 0) UnknownKeys(text, map, findings);
            return Result(findings);
        }

        var edited = !string.Equals(Normalise(text), Normalise(draft.GeneratedText), StringComparison.Ordinal);
        if (!edited)
        {
            if (!stored.Structured)
                findings.Add("The model's answer did not arrive in the expected format, so this text is unverified. Replace or edit it so that every statement cites the record.");
            if (stored.InvalidCitations.Count > 0)
                findings.Add($"{Count(stored.InvalidCitations.Count, "source reference")} in the answer {(stored.InvalidCitations.Count == 1 ? "was" : "were")} not a citation key (for example \"{Short(stored.InvalidCitations[0])}\"), so the statement{(stored.InvalidCitations.Count == 1 ? "" : "s")} behind {(stored.InvalidCitations.Count == 1 ? "it is" : "them are")} not backed by the record.");
            UnknownKeys(text, map, findings);
            if (stored.NumberMismatches.Count > 0)
                findings.Add($"{Count(stored.NumberMismatches.Count, "number")} {(stored.NumberMismatches.Count == 1 ? "is" : "are")} not in the cited sources (for example \"{Short(stored.NumberMismatches[0].Value)}\"). Correct or remove {(stored.NumberMismatches.Count == 1 ? "it" : "them")}.");
            return Result(findings);
        }

        // Edited: the text the clinician will sign is checked as it now stands.
        var check = UnknownKeys(text, map, findings);
        if (stored.HasCriticalFindings)
        {
            if (check.CitedKeys.Count == 0)
                findings.Add("The text cites nothing in the record. Keep a [KEY] citation after each statement.");
            if (check.UncitedStatements.Count > 0)
                findings.Add($"{Count(check.UncitedStatements.Count, "statement")} cite{(check.UncitedStatements.Count == 1 ? "s" : "")} no source (for example \"{Short(check.UncitedStatements[0])}\").");
            var bare = CitationKey.BlankBrackets(text);
            var left = stored.NumberMismatches.Select(m => m.Value).Distinct(StringComparer.Ordinal)
                .Where(v => Regex.IsMatch(bare, @"(?<![\p{N}.])" + Regex.Escape(v) + @"(?![\p{N}])", RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeout))
                .ToList();
            if (left.Count > 0)
                findings.Add($"{Count(left.Count, "number")} flagged as not in the cited sources {(left.Count == 1 ? "is" : "are")} still in the text (for example \"{Short(left[0])}\").");
        }
        return Result(findings);
    }

    /// <summary>A reason for signing unverified text that is acceptable, else what is wrong with it.</summary>
    public static string? ValidateReason(string? reason) => reason?.Trim() switch
    {
        null or "" => "Give a reason for signing text that did not verify.",
        { Length: < MinimumReasonLength } => $"The reason for signing unverified text must be at least {MinimumReasonLength} characters.",
        { Length: > MaximumReasonLength } => $"The reason is longer than {MaximumReasonLength:N0} characters.",
        _ => null,
    };

    private static CitationCheck UnknownKeys(string text, IReadOnlyDictionary<string, ResourceRef> map, List<string> findings)
    {
        var check = new CitationVerifier().Verify(text, CitationIndex.FromMap(map));
        if (check.UnknownKeys.Count > 0)
            findings.Add($"{string.Join(", ", check.UnknownKeys.Take(5).Select(k => "[" + k + "]"))} {(check.UnknownKeys.Count == 1 ? "does" : "do")} not point at anything in this patient's record.");
        return check;
    }

    internal static DraftVerification? Stored(Draft draft)
    {
        if (string.IsNullOrWhiteSpace(draft.VerificationJson)) return null;
        try
        {
            return JsonSerializer.Deserialize<DraftVerification>(draft.VerificationJson);
        }
        catch (JsonException)
        {
            return new DraftVerification(false, [], [], [], [], []); // unreadable: treated as unverified
        }
    }

    internal static Dictionary<string, ResourceRef> Map(string? citationsJson)
    {
        var map = new Dictionary<string, ResourceRef>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(citationsJson)) return map;
        foreach (var (key, reference) in DraftText.ReadCitationMap(citationsJson))
        {
            var parts = reference.Split('/');
            map[key] = new ResourceRef(parts[0], parts.Length > 1 ? parts[1] : "", parts.Length > 3 ? parts[3] : null);
        }
        return map;
    }

    private static SignGateResult Result(List<string> findings) => findings.Count == 0 ? SignGateResult.Passed : new(false, findings);

    internal static string Normalise(string? text) => WhiteSpace().Replace(text ?? "", " ").Trim();

    private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private static string Short(string s)
    {
        var one = WhiteSpace().Replace(s, " ").Trim();
        return one.Length <= 80 ? one : one[..79] + "…";
    }

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeoutMilliseconds)]
    private static partial Regex WhiteSpace();
}

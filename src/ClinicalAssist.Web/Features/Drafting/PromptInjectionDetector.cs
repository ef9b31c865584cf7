using System.Text;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>Instruction-like text found in a clinical note. <see cref="Excerpt"/> (≤ 120 characters) is note text:
/// show it to the clinician, never log it.</summary>
public sealed record InjectionWarning(string NoteKey, ResourceRef Source, string Rule, string Excerpt);

/// <summary>
/// Flags clinical-note text that reads like instructions to an AI model ("ignore previous instructions",
/// "you are now…", "reveal your system prompt", "assistant:"…). Heuristic and advisory: the real defences are
/// that notes are quoted as data, the system prompt says so, every statement must cite the record, and a
/// clinician signs the draft. Matching is case-insensitive and tolerant of odd spacing, line breaks,
/// zero-width characters, full-width letters and letter-spaced words ("i g n o r e").
/// <para>
/// Rule for words that also occur in ordinary clinical writing ("disregard", "ignore", "instructions"): an
/// override verb is flagged only when aimed at instructions in general — qualified by all/any/previous/prior/
/// above/preceding/earlier/system/your… with nothing clinical in between — and not followed by
/// about/regarding/concerning. So "Advised to disregard the earlier fasting instruction" and "ignore previous
/// instructions regarding fasting" are not flagged; "Disregard all previous instructions" is.
/// </para>
/// </summary>
public sealed partial class PromptInjectionDetector
{
    internal const int MaxExcerptLength = 120;

    /// <summary>The rule reported when a note could not be scanned completely in time.</summary>
    public const string ScanIncompleteRule = "scan-incomplete";
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private const string Verb = @"(?:ignore|disregard|forget|override|bypass)";
    private const string Lead = @"(?:(?:the|of|these|those)\s+){0,2}";
    private const string Target = @"(?:all|any|every|previous|prior|above|preceding|foregoing|earlier|former|original|initial|system|your|my)";
    private const string Filler = @"(?:(?:the|of|above|previous|prior|preceding|earlier|system|safety|given|stated|original|initial|existing|other)\s+){0,3}";
    private const string Instructions = @"(?:instructions?|prompts?|rules|directives?|guidelines|guardrails|constraints|programming|messages?)";

    private static readonly (string Rule, Regex Pattern)[] Rules =
    [
        ("override-instructions", Rx($@"\b{Verb}\s+{Lead}{Target}\s+{Filler}{Instructions}\b(?!\s+(?:about|regarding|concerning|re|relating|related)\b)")),
        ("override-instructions", Rx($@"\b{Verb}\s+(?:everything|all\s+(?:of\s+)?(?:that|this|the\s+above))(?:\s+(?:above|before|said|so\s+far|previously|you\s+were\s+told))?\b")),
        ("role-change", Rx(@"\byou\s+are\s+now\b|\bfrom\s+now\s+on,?\s+(?:you|the\s+(?:assistant|model|ai))\b|\byou\s+(?:will|must|shall)\s+now\b|\bpretend\s+(?:to\s+be|that\s+you|you\s+are)\b|\brole-?\s?play\s+as\b")),
        ("role-change", Rx(@"\b(?:act|behave|respond|answer)\s+as\s+(?:if\s+you\s+(?:are|were)\b|(?:an?\s+|the\s+)?(?:ai|assistant|chatbot|language\s+model|llm|gpt|unrestricted|unfiltered|uncensored|jailbroken|developer|admin(?:istrator)?|system|different|new)\b)")),
        ("role-change", Rx(@"\byou\s+are\s+(?:an?\s+)?(?:ai|assistant|chatbot|language\s+model|llm)\b|\bas\s+an?\s+(?:ai|large)\s+language\s+model\b")),
        ("system-prompt", Rx(@"\bsystem\s+(?:prompt|message|instructions?|override)\b|\bdeveloper\s+(?:mode|message|instructions?)\b|\bjailbr(?:eak|oken)\b|\bdan\s+mode\b|\bprompt\s+injection\b")),
        ("new-instructions", Rx(@"\bnew\s+(?:system\s+)?(?:instructions?|task|rules|directives?|role)\s*:|\b(?:your|here\s+are\s+(?:your|the|some)|the\s+following\s+are\s+(?:your\s+)?)\s*new\s+(?:instructions|rules|task)\b|\bupdated\s+instructions\s*:")),
        ("reveal", Rx(@"\b(?:reveal|disclose|leak|print|output|dump|expose)\s+(?:to\s+me\s+)?(?:your|the)\s+(?:(?:full|entire|original|hidden|secret|initial|exact)\s+)*(?:system\s+)?(?:prompt|instructions|rules|configuration|api\s*key|password|credentials|secrets?)\b")),
        ("reveal", Rx(@"\b(?:show|repeat|display|tell)\s+(?:me\s+)?(?:your\s+(?:(?:full|entire|original|hidden|secret|initial|exact)\s+)*(?:system\s+)?(?:prompt|instructions|rules)|the\s+(?:(?:full|entire|original|hidden|secret|initial|exact)\s+)*system\s+(?:prompt|instructions)|(?:your|the)\s+(?:api\s*key|password|credentials))\b")),
        ("role-marker", Rx(@"(?:^|\n)\s*(?:assistant|system|user|human)\s*:|\bassistant\s*:|<\|?\s*(?:im_start|im_end|system|assistant|user|endoftext)\s*\|?>|\[/?inst\]|###\s*(?:instruction|system|response)\b|</s>")),
        ("address-model", Rx(@"\b(?:dear|hey|hi|hello|attention|note\s+to(?:\s+the)?|message\s+(?:to|for)(?:\s+the)?|instructions?\s+(?:to|for)(?:\s+the)?)\s+(?:ai|assistant|chat\s*gpt|gpt|llm|model|language\s+model|copilot|chatbot|bot|summari[sz]er)\b")),
        ("output-manipulation", Rx(@"\b(?:in|from|to|into|write|writing|draft|drafting|generate|generating|produce|producing)\s+your\s+(?:summary|response|output|answer|draft|reply|report)\b|\b(?:omit|hide|suppress|leave\s+out)\s+(?:\S+\s+){0,4}?(?:from|in)\s+(?:the|your)\s+(?:summary|draft|output|response|ai\s+summary)\b|\b(?:do\s+not|don't|never)\s+(?:mention|include|report|cite|list|flag)\b[^.\n]{0,60}?\b(?:in|from)\s+(?:the|your)\s+(?:summary|draft|output|response)\b")),
    ];

    /// <summary>Patterns for letter-spaced text once its letters are joined ("i g n o r e a l l…" → "ignoreall…").</summary>
    private static readonly (string Rule, Regex Pattern)[] CompactRules =
    [
        ("override-instructions", Rx(@"(?:ignore|disregard|forget)(?:all|any)?(?:the|your)?(?:previous|prior|above|preceding|earlier)?(?:instructions|rules|prompts?)")),
        ("system-prompt", Rx(@"systemprompt|developermode|jailbreak")),
        ("role-change", Rx(@"youarenow|actasan?(?:ai|assistant|unrestricted)")),
        ("reveal", Rx(@"(?:reveal|print|show|repeat)(?:me)?(?:your|the)(?:system)?(?:prompt|instructions)")),
    ];

    public IReadOnlyList<InjectionWarning> Scan(PatientContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Notes.Count == 0) return [];
        var citations = CitationIndex.Build(context);
        var warnings = new List<InjectionWarning>();
        foreach (var note in context.Notes)
        {
            var key = citations.KeyFor(note.Source);
            foreach (var (rule, excerpt) in ScanText(note.Title + "\n" + note.Text))
                warnings.Add(new InjectionWarning(key, note.Source, rule, excerpt));
        }
        return warnings;
    }

    /// <summary>The first match of each rule in <paramref name="text"/>: (rule, excerpt), in text order.</summary>
    internal static IReadOnlyList<(string Rule, string Excerpt)> ScanText(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var normalized = Normalize(text, out var letterSpacedRuns);
        var found = new List<(int Index, string Rule, string Excerpt)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);

        var timedOut = false;
        foreach (var (rule, pattern) in Rules)
        {
            if (seen.Contains(rule)) continue;
            Match m;
            try
            {
                m = pattern.Match(normalized);
            }
            catch (RegexMatchTimeoutException)
            {
                timedOut = true;
                continue;
            }
            if (!m.Success) continue;
            seen.Add(rule);
            found.Add((m.Index, rule, Excerpt(normalized, m.Index, m.Length)));
        }

        foreach (var run in letterSpacedRuns)
        {
            foreach (var (rule, pattern) in CompactRules)
            {
                bool isMatch;
                try
                {
                    isMatch = !seen.Contains(rule) && pattern.IsMatch(run.Joined);
                }
                catch (RegexMatchTimeoutException)
                {
                    timedOut = true;
                    continue;
                }
                if (!isMatch) continue;
                seen.Add(rule);
                found.Add((run.Index, rule, Excerpt(normalized, run.Index, run.Length)));
            }
        }

        // A scan that ran out of time (a pathological note, or a machine so loaded that a 1 s budget passed) must not
        // fail the chart or the draft: the note is flagged as not fully checked, which is the safe side.
        if (timedOut)
        {
            found.Add((0, ScanIncompleteRule, "not fully checked: the scan for instructions to an AI model timed out"));
        }

        return [.. found.OrderBy(f => f.Index).ThenBy(f => f.Rule, StringComparer.Ordinal).Select(f => (f.Rule, f.Excerpt))];
    }

    internal readonly record struct LetterSpacedRun(int Index, int Length, string Joined);

    /// <summary>NFKC, lower case, invisible characters removed, line breaks kept, other whitespace runs collapsed.
    /// Letter-spaced words are joined in place: "i g n o r e  a l l" (words two spaces apart) becomes "ignore all",
    /// which the ordinary rules see; "i g n o r e a l l" becomes "ignoreall", which the compact rules check.</summary>
    internal static string Normalize(string text, out IReadOnlyList<LetterSpacedRun> letterSpacedRuns)
    {
        var s = text.Normalize(NormalizationForm.FormKC);
        var sb = new StringBuilder(s.Length);
        foreach (var ch in s)
        {
            if (ClinicalFormat.IsInvisibleFormat(ch)) continue;
            sb.Append(ch == '\r' ? '\n' : char.ToLowerInvariant(ch));
        }

        var joinedRuns = new List<string>();
        var joinedText = LetterSpaced().Replace(sb.ToString(), m =>
        {
            var joined = string.Concat(m.Value.Where(char.IsLetter));
            joinedRuns.Add(joined);
            return joined;
        });
        var collapsed = LineBreakRun().Replace(HorizontalSpace().Replace(joinedText, " "), "\n");

        letterSpacedRuns = [.. joinedRuns
            .Select(j => new LetterSpacedRun(collapsed.IndexOf(j, StringComparison.Ordinal), j.Length, j))
            .Where(r => r.Index >= 0)];
        return collapsed;
    }

    /// <summary>Up to <see cref="MaxExcerptLength"/> characters around a match, with "…" where text was cut.</summary>
    private static string Excerpt(string text, int index, int length)
    {
        var start = Math.Max(0, index - 40);
        if (index + length - start > MaxExcerptLength - 2) start = index; // a long match: start at the match itself
        var prefix = start > 0 ? "…" : "";
        var end = Math.Min(text.Length, start + MaxExcerptLength - prefix.Length - 1);
        var suffix = end < text.Length ? "…" : "";
        return prefix + text[start..end].Replace('\n', ' ').Trim() + suffix;
    }

    private static Regex Rx(string pattern) =>
        new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Compiled, MatchTimeout);

    /// <summary>Three or more single letters, each followed by one separator (space, dot, dash, underscore, star).</summary>
    [GeneratedRegex(@"(?<!\p{L})(?:\p{L}[ ._*\-]){2,}\p{L}(?!\p{L})", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex LetterSpaced();

    [GeneratedRegex(@"[^\S\n]+", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex HorizontalSpace();

    [GeneratedRegex(@"[ ]*\n[ \n]*", RegexOptions.CultureInvariant, 1000)]
    private static partial Regex LineBreakRun();
}

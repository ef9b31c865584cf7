using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Checks that every statement of a draft cites the record ("… [L3][L9].") and that every cited key exists.
/// A statement is a non-empty, non-heading line, or a sentence within such a line. Headings are markdown headings
/// ("## Summary") or a line that is only a known section name. Statements of absence ("No allergies recorded.")
/// need no citation: there is no resource to cite. Also accepts "[L3, L9]" and "[L3; L9]".
/// </summary>
public sealed partial class CitationVerifier
{
    /// <summary>Section headings of the clinical summary, in order (<see cref="DraftAnswer.Sections"/>).</summary>
    public static IReadOnlyList<string> SectionNames => DraftAnswer.Sections;

    /// <summary>Headings of drafts made before the JSON contract (still recognised when re-verifying old text).</summary>
    private static readonly string[] LegacySectionNames = ["Suggested considerations"];

    public CitationCheck Verify(string draftText, CitationIndex index)
    {
        ArgumentNullException.ThrowIfNull(index);
        var unknown = new List<string>();
        var uncited = new List<string>();
        var citedKeys = new List<string>();
        var citedRefs = new List<ResourceRef>();
        var seenKeys = new HashSet<string>(StringComparer.Ordinal);
        var seenRefs = new HashSet<string>(StringComparer.Ordinal);

        foreach (var rawLine in (draftText ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || IsHeading(line) || IsRule(line)) continue;

            foreach (var key in KeysIn(line))
            {
                if (!seenKeys.Add(key)) continue;
                if (index.TryResolve(key, out var reference))
                {
                    citedKeys.Add(key);
                    if (seenRefs.Add(reference.ToString())) citedRefs.Add(reference);
                }
                else
                {
                    unknown.Add(key);
                }
            }

            // Open questions ("Need: …") ask for what is missing: there may be nothing to cite.
            if (StripListMarker(line).StartsWith(DraftAnswer.NeedPrefix.Trim(), StringComparison.OrdinalIgnoreCase)) continue;

            foreach (var statement in Statements(StripListMarker(line)))
            {
                if (!CitationKey.Bracket().IsMatch(statement) && !IsAbsenceStatement(statement)) uncited.Add(statement);
            }
        }

        return new CitationCheck(unknown, uncited, citedKeys, citedRefs);
    }

    /// <summary>Every key cited in <paramref name="text"/>, in order, duplicates included.</summary>
    public static IEnumerable<string> KeysIn(string text) => CitationKey.KeysIn(text);

    /// <summary>"No allergies recorded.", "No active medications documented." — a statement that nothing is recorded.</summary>
    public static bool IsAbsenceStatement(string statement) => Absence().IsMatch(statement.Trim());

    internal static bool IsHeading(string line)
    {
        if (line.StartsWith('#')) return true;
        var bare = line.Trim('*', '_', ' ', ':');
        return SectionNames.Concat(LegacySectionNames).Any(n => string.Equals(n, bare, StringComparison.OrdinalIgnoreCase));
    }

    private static bool IsRule(string line) => line.All(c => c is '-' or '*' or '_' or '=' or ' ');

    private static string StripListMarker(string line) => ListMarker().Replace(line, "");

    /// <summary>Sentences of a line: split after ., ! or ? (and any citations that follow it) before a capital
    /// letter, but not after common abbreviations ("Dr.", "e.g."). Fragments of fewer than three words are
    /// joined to the next sentence.</summary>
    internal static IEnumerable<string> Statements(string line)
    {
        var pending = "";
        foreach (var part in SentenceBoundary().Split(line))
        {
            var candidate = pending.Length == 0 ? part : pending + " " + part;
            if (WordCount(candidate) < 3 && !CitationKey.Bracket().IsMatch(candidate)) { pending = candidate; continue; }
            pending = "";
            if (candidate.Trim().Length > 0) yield return candidate.Trim();
        }
        if (pending.Trim().Length > 0)
            yield return pending.Trim();
    }

    private static int WordCount(string s) => Word().Count(s);

    [GeneratedRegex(@"(?<=[.!?](?:\s*\[[^\]\n]{1,60}\])*)(?<!\b(?:Dr|Mr|Mrs|Ms|Mx|Prof|St|Sr|Jr|vs|etc|approx|e\.g|i\.e|Fig|No)\.)\s+(?=[A-Z(""'])", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBoundary();

    [GeneratedRegex(@"^(?:[-*+•]|\d{1,3}[.)])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"[\p{L}\p{N}]+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    [GeneratedRegex(@"^(?:No|None)\b[^.\[\]!?]{0,80}?\b(?:recorded|documented|on\s+record|in\s+the\s+record|triggered|available|given|suggested)\s*\.?$|^None\.?$|^[^.\[\]!?]{1,60}\bcould\s+not\s+be\s+loaded\b[^\[\]]{0,120}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Absence();
}

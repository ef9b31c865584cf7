using System.Text.RegularExpressions;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The grammar of a citation key, declared once: one or two capital letters and 1–5 digits ("L3", "E1"; what
/// <see cref="CitationIndex"/> issues and what a drafter may put in a <c>cite</c> array), and the bracket that
/// carries keys in draft text ("[L3]", "[L1, L2]", "[L1; L2]"). The verifier, the safety net, the answer parser and
/// the renderer all read keys with these patterns, so a key that does not resolve (an invented "[ZZ900]") is seen as a
/// key everywhere — flagged by the verifier and rendered as the red "does not resolve" chip — never as plain text.
/// </summary>
public static partial class CitationKey
{
    /// <summary>One key, unanchored (the JSON schema's <c>cite</c> items carry it anchored: <c>^…$</c>).</summary>
    public const string Grammar = "[A-Z]{1,2}[0-9]{1,5}";

    /// <summary>A bracket of one or more keys; group "keys" holds them with their separators.</summary>
    public const string BracketPattern = @"\[\s*(?<keys>" + Grammar + @"(?:\s*[,;]\s*" + Grammar + @")*)\s*\]";

    /// <summary>True when <paramref name="value"/> is exactly one key (case-sensitive).</summary>
    public static bool IsKey(string? value) => value is not null && Key().IsMatch(value);

    /// <summary>The keys of one bracket match, in order.</summary>
    public static IEnumerable<string> KeysOf(Match bracket) =>
        bracket.Groups["keys"].Value.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Every key in <paramref name="text"/>, in order, duplicates included.</summary>
    public static IEnumerable<string> KeysIn(string? text)
    {
        if (string.IsNullOrEmpty(text)) yield break;
        foreach (Match m in Bracket().Matches(text))
        {
            foreach (var key in KeysOf(m)) yield return key;
        }
    }

    /// <summary>The text with its key brackets (and the space before each) removed.</summary>
    public static string StripBrackets(string text) => BracketWithLeadingSpace().Replace(text, "");

    /// <summary>The text with each key bracket replaced by a space (numbers in keys are not values).</summary>
    public static string BlankBrackets(string text) => Bracket().Replace(text, " ");

    /// <summary>A bracket of keys anywhere in text.</summary>
    [GeneratedRegex(BracketPattern, RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeoutMilliseconds)]
    public static partial Regex Bracket();

    [GeneratedRegex("^" + Grammar + "$", RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeoutMilliseconds)]
    private static partial Regex Key();

    [GeneratedRegex(@"\s*" + BracketPattern, RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeoutMilliseconds)]
    private static partial Regex BracketWithLeadingSpace();
}

using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>Invariant, deterministic formatting shared by the prompt builder and the offline drafter.</summary>
internal static partial class ClinicalFormat
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>"2026-11-23", or "2026-11-23 08:15" when the time of day is known (not midnight).</summary>
    public static string When(DateTimeOffset? value) => value switch
    {
        null => "date unknown",
        { TimeOfDay.Ticks: 0 } d => d.ToString("yyyy-MM-dd", Inv),
        { } d => d.ToString("yyyy-MM-dd HH:mm", Inv),
    };

    public static string Day(DateTimeOffset? value) => value?.ToString("yyyy-MM-dd", Inv) ?? "date unknown";

    /// <summary>Words for an interpretation flag: H → "high", HH → "critically high"…</summary>
    public static string? InterpretationWords(string? flag) => flag switch
    {
        null or "" or "N" => null,
        "H" => "high",
        "L" => "low",
        "HH" => "critically high",
        "LL" => "critically low",
        "A" => "abnormal",
        "AA" => "critically abnormal",
        _ => "flagged " + flag,
    };

    /// <summary>One line of free text from the record, safe to place in a prompt or a draft: control characters
    /// and line breaks become spaces, note delimiters and citation-like brackets are neutralised, length capped.</summary>
    public static string OneLine(string? text, int maxLength = 200)
    {
        if (string.IsNullOrWhiteSpace(text)) return "";
        var s = ControlOrSpaceRun().Replace(StripInvisible(text), " ").Trim();
        s = NeutraliseMarkup(s);
        return s.Length <= maxLength ? s : s[..(maxLength - 1)].TrimEnd() + "…";
    }

    /// <summary>Multi-line note text: line breaks kept (normalised to \n), other control characters removed, note
    /// delimiters neutralised so that a note cannot close its own block, length capped.</summary>
    public static string NoteBody(string? text, int maxLength)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(Math.Min(text.Length, maxLength + 16));
        foreach (var ch in StripInvisible(text).Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'))
        {
            if (ch == '\n' || ch == '\t') sb.Append(ch == '\t' ? ' ' : '\n');
            else if (!char.IsControl(ch)) sb.Append(ch);
        }
        var s = BlankLineRun().Replace(sb.ToString(), "\n\n").Trim();
        s = NeutraliseMarkup(s);
        return s.Length <= maxLength ? s : s[..maxLength].TrimEnd() + "\n[note truncated]";
    }

    /// <summary>A character that renders as nothing and can hide text from a reader: every format character (Unicode
    /// category Cf: zero-width characters, bidirectional controls, invisible operators U+2061–U+2064, the soft hyphen,
    /// the BOM, tag characters as surrogate halves are handled by <see cref="StripInvisible"/>), variation selectors and
    /// the blank fillers (Hangul fillers, Mongolian vowel separator, combining grapheme joiner, Arabic tatweel).</summary>
    internal static bool IsInvisibleFormat(char ch) =>
        CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.Format
        || ch is '\u034F' or '\u115F' or '\u1160' or '\u17B4' or '\u17B5' or '\u180E' or '\u3164' or '\uFFA0' or '\u0640'
        || (ch >= '\uFE00' && ch <= '\uFE0F');

    /// <summary>As <see cref="IsInvisibleFormat(char)"/>, for a code point outside the basic plane too: tag characters
    /// (U+E0000–U+E007F, which can spell hidden ASCII), supplementary variation selectors and other format characters.</summary>
    internal static bool IsInvisibleFormat(System.Text.Rune rune) =>
        rune.IsBmp ? IsInvisibleFormat((char)rune.Value)
        : System.Text.Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format || (rune.Value >= 0xE0000 && rune.Value <= 0xE0FFF);

    /// <summary>The text without its invisible and format characters (<see cref="IsInvisibleFormat(System.Text.Rune)"/>);
    /// an unpaired surrogate is dropped too. Nothing of it reaches a prompt.</summary>
    internal static string StripInvisible(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        StringBuilder? sb = null;
        var i = 0;
        while (i < text.Length)
        {
            var status = System.Text.Rune.DecodeFromUtf16(text.AsSpan(i), out var rune, out var consumed);
            var drop = status != System.Buffers.OperationStatus.Done || IsInvisibleFormat(rune);
            if (drop && sb is null) sb = new StringBuilder(text.Length).Append(text, 0, i);
            if (!drop) sb?.Append(text, i, consumed);
            i += consumed;
        }
        return sb?.ToString() ?? text;
    }

    /// <summary>Note text cannot end its block ("NOTE N1&gt;&gt;&gt;") or open another, and cannot carry a
    /// citation key of its own ("[L3]") that would be mistaken for one the drafter chose.</summary>
    private static string NeutraliseMarkup(string s)
    {
        s = s.Replace("<<<", "‹‹‹", StringComparison.Ordinal).Replace(">>>", "›››", StringComparison.Ordinal);
        return CitationLike().Replace(s, m => "(" + m.Groups[1].Value + ")");
    }

    [GeneratedRegex(@"[\s\p{Cc}\u200B-\u200D\u2060\uFEFF]+")]
    private static partial Regex ControlOrSpaceRun();

    [GeneratedRegex(@"\n[ \t]*(?:\n[ \t]*)+")]
    private static partial Regex BlankLineRun();

    [GeneratedRegex(@"\[\s*([A-Za-z]{1,2}\s*\d{1,5}(?:\s*[,;]\s*[A-Za-z]{1,2}\s*\d{1,5})*)\s*\]")]
    private static partial Regex CitationLike();
}

using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>Parses draft text (a small markdown subset with [KEY] citations) for display. Text is never
/// interpreted as HTML: the page renders segments as text.</summary>
public static partial class DraftText
{
    /// <summary>"[L3]", or several keys in one bracket as a model may write them: "[L1, L2]" / "[L1; L2]". Any key of
    /// the grammar is a citation segment, resolvable or not: one that does not resolve is shown as such (red), never
    /// as plain text.</summary>
    private static Regex CitationPattern() => CitationKey.Bracket();

    private static IEnumerable<string> KeysOf(Match match) => CitationKey.KeysOf(match);

    public static IReadOnlyList<DraftLine> Parse(string? text)
    {
        var lines = new List<DraftLine>();
        if (string.IsNullOrEmpty(text)) return lines;

        foreach (var raw in text.Replace("\r\n", "\n").Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.Length == 0) continue;

            var kind = DraftLineKind.Paragraph;
            if (line.StartsWith('#'))
            {
                kind = DraftLineKind.Heading;
                line = line.TrimStart('#').Trim();
            }
            else if (line.StartsWith("  - ", StringComparison.Ordinal) || line.StartsWith("  * ", StringComparison.Ordinal))
            {
                kind = DraftLineKind.SubBullet;
                line = line[4..];
            }
            else if (line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal))
            {
                kind = DraftLineKind.Bullet;
                line = line[2..];
            }

            lines.Add(new DraftLine(kind, Segments(line)));
        }
        return lines;
    }

    /// <summary>Citation keys in order of first appearance.</summary>
    public static IReadOnlyList<string> CitedKeys(string? text) =>
        text is null ? [] : CitationPattern().Matches(text).SelectMany(KeysOf).Distinct().ToList();

    /// <summary>"Type/Id" of a stored citation reference such as "Observation/k1/_history/2" (the key of
    /// <see cref="Context.PatientContext.Resources"/>).</summary>
    public static string ResourceKey(string reference) => string.Join('/', reference.Split('/').Take(2));

    public static IReadOnlyDictionary<string, string> ReadCitationMap(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];

    private static List<DraftSegment> Segments(string line)
    {
        var segments = new List<DraftSegment>();
        var position = 0;
        foreach (Match match in CitationPattern().Matches(line))
        {
            if (match.Index > position) segments.Add(new DraftSegment(line[position..match.Index], false));
            segments.AddRange(KeysOf(match).Select(key => new DraftSegment(key, true)));
            position = match.Index + match.Length;
        }
        if (position < line.Length) segments.Add(new DraftSegment(line[position..], false));
        return segments;
    }
}

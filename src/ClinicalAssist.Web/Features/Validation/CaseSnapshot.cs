using System.Globalization;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>
/// What a case's stored context snapshot (the prompt's {{context}} text) says, read back for scoring: the citation
/// keys it carries (an item line starts with its key, "[L3] …"; a note's text follows in its NOTE block), the text of
/// each key (whose numbers the safety net checks a statement against), the patient's age and sex from the header, and
/// each note's text (scanned by the product's injection detector).
/// </summary>
public sealed partial class CaseSnapshot
{
    private CaseSnapshot(Dictionary<string, string> texts, Dictionary<string, string> notes, int? age, string? sex)
    {
        Texts = texts;
        Notes = notes;
        AgeYears = age;
        Sex = sex;
    }

    /// <summary>Key → the text sent for it (item line, and a note's body).</summary>
    public IReadOnlyDictionary<string, string> Texts { get; }

    /// <summary>Note key → the note's title line and body.</summary>
    public IReadOnlyDictionary<string, string> Notes { get; }

    public int? AgeYears { get; }
    public string? Sex { get; }

    public IReadOnlyCollection<string> Keys => (IReadOnlyCollection<string>)Texts.Keys;

    /// <summary>Each key's numbers, read as <see cref="DraftSafetyNet"/> reads a source's.</summary>
    public IReadOnlyDictionary<string, HashSet<decimal>> Numbers() =>
        Texts.ToDictionary(t => t.Key, t => DraftSafetyNet.NumbersIn(t.Value), StringComparer.Ordinal);

    public static CaseSnapshot Parse(string? snapshot)
    {
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        int? age = null;
        string? sex = null;
        string? inNote = null;
        var noteBody = new List<string>();
        foreach (var line in (snapshot ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (inNote is not null)
            {
                if (line == "NOTE " + inNote + ">>>")
                {
                    var body = string.Join('\n', noteBody);
                    texts[inNote] = texts.GetValueOrDefault(inNote, "") + "\n" + body;
                    notes[inNote] = notes.GetValueOrDefault(inNote, "") + "\n" + body;
                    inNote = null;
                    noteBody.Clear();
                }
                else noteBody.Add(line);
                continue;
            }
            if (NoteStart().Match(line) is { Success: true } start)
            {
                inNote = start.Groups["key"].Value;
                continue;
            }
            if (ItemLine().Match(line) is { Success: true } item)
            {
                var key = item.Groups["key"].Value;
                texts[key] = texts.TryGetValue(key, out var before) ? before + "\n" + item.Groups["text"].Value : item.Groups["text"].Value;
                notes[key] = item.Groups["text"].Value;
                continue;
            }
            if (line.StartsWith("PATIENT:", StringComparison.Ordinal))
            {
                var a = Age().Match(line);
                if (a.Success) age = int.Parse(a.Groups["age"].Value, NumberStyles.None, CultureInfo.InvariantCulture);
                var s = SexPart().Match(line);
                if (s.Success) sex = s.Groups["sex"].Value.Trim();
            }
        }
        // Keys of notes only: item lines of other sections were added to "notes" above and are dropped again here.
        var noteKeys = notes.Keys.Where(k => snapshot?.Contains("<<<NOTE " + k + "\n", StringComparison.Ordinal) == true).ToHashSet(StringComparer.Ordinal);
        foreach (var k in notes.Keys.Where(k => !noteKeys.Contains(k)).ToList()) notes.Remove(k);
        return new CaseSnapshot(texts, notes, age, sex);
    }

    [GeneratedRegex(@"^\[(?<key>" + CitationKey.Grammar + @")\] (?<text>.*)$", RegexOptions.CultureInvariant)]
    private static partial Regex ItemLine();

    [GeneratedRegex(@"^<<<NOTE (?<key>" + CitationKey.Grammar + @")$", RegexOptions.CultureInvariant)]
    private static partial Regex NoteStart();

    [GeneratedRegex(@"\b(?:age|aged) (?<age>\d{1,3})\b", RegexOptions.CultureInvariant)]
    private static partial Regex Age();

    [GeneratedRegex(@"; sex (?<sex>[^;\n]+)", RegexOptions.CultureInvariant)]
    private static partial Regex SexPart();
}

using System.Globalization;
using System.Text;
using ClinicalAssist.Tests.Security;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>One line of a corpus file (Drafting/Corpus/*.tsv): kind, language and the text with its escapes decoded.</summary>
public sealed record CorpusEntry(string Kind, string Language, string Text, int Line)
{
    public override string ToString() => $"{Kind}/{Language} line {Line}";
}

/// <summary>Reads the injection corpus and the clinical sentences that must not be flagged.</summary>
public static class InjectionCorpus
{
    public static IReadOnlyList<CorpusEntry> Attacks => Read("injections.tsv");

    public static IReadOnlyList<CorpusEntry> ClinicalSentences => Read("clinical-sentences.tsv");

    public static IReadOnlyList<CorpusEntry> Read(string file)
    {
        var path = Path.Combine(AuthorizationMatrixTests.RepoRoot(), "tests", "ClinicalAssist.Tests", "Drafting", "Corpus", file);
        var entries = new List<CorpusEntry>();
        var lines = File.ReadAllLines(path, Encoding.UTF8);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length == 0 || line.StartsWith('#') || line.StartsWith("kind\t", StringComparison.Ordinal)) continue;
            var parts = line.Split('\t', 3);
            if (parts.Length != 3) throw new FormatException($"{file} line {i + 1}: expected kind, language and text separated by tabs.");
            entries.Add(new CorpusEntry(parts[0], parts[1], Unescape(parts[2]), i + 1));
        }
        return entries;
    }

    /// <summary>\n, \\, \uXXXX and \UXXXXXXXX.</summary>
    public static string Unescape(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\' || i + 1 >= text.Length) { sb.Append(text[i]); continue; }
            var next = text[i + 1];
            switch (next)
            {
                case 'n': sb.Append('\n'); i++; break;
                case '\\': sb.Append('\\'); i++; break;
                case 'u' when i + 5 < text.Length:
                    sb.Append((char)int.Parse(text.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture)); i += 5; break;
                case 'U' when i + 9 < text.Length:
                    sb.Append(char.ConvertFromUtf32(int.Parse(text.AsSpan(i + 2, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture))); i += 9; break;
                default: sb.Append(text[i]); break;
            }
        }
        return sb.ToString();
    }
}

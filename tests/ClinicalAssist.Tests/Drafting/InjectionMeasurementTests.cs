using System.Globalization;
using System.Text;
using ClinicalAssist.Tests.Security;
using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>
/// Recall of the injection detector on the corpus (Drafting/Corpus/injections.tsv) and its false-positive rate on
/// clinical sentences (clinical-sentences.tsv), per kind and per language. Writes the table to
/// artifacts/injection/recall.md (the figures in docs/reliability.md) and holds the goals: recall ≥ 95 %, false
/// positives ≤ 1 %.
/// </summary>
public sealed class InjectionMeasurementTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public void The_corpus_is_large_and_varied_enough_to_measure()
    {
        var attacks = InjectionCorpus.Attacks;
        var clinical = InjectionCorpus.ClinicalSentences;
        Assert.True(attacks.Count >= 100, $"{attacks.Count} attacks");
        Assert.True(clinical.Count >= 200, $"{clinical.Count} clinical sentences");
        Assert.Superset(new HashSet<string> { "en", "es", "fr", "de", "pt", "zh", "ar" }, attacks.Select(a => a.Language).ToHashSet());
        Assert.Equal(attacks.Count, attacks.Select(a => a.Text).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(clinical.Count, clinical.Select(a => a.Text).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public async Task Recall_is_at_least_95_percent_and_false_positives_at_most_1_percent_per_kind_and_language()
    {
        var attacks = InjectionCorpus.Attacks.Select(a => (Entry: a, Flagged: PromptInjectionDetector.ScanText(a.Text))).ToList();
        var clinical = InjectionCorpus.ClinicalSentences.Select(c => (Entry: c, Flagged: PromptInjectionDetector.ScanText(c.Text))).ToList();

        var recall = (double)attacks.Count(a => a.Flagged.Count > 0) / attacks.Count;
        var falsePositive = (double)clinical.Count(c => c.Flagged.Count > 0) / clinical.Count;

        var md = new StringBuilder();
        md.AppendLine("# Prompt-injection detection: recall and false positives");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Attacks: {attacks.Count} (tests/ClinicalAssist.Tests/Drafting/Corpus/injections.tsv); clinical sentences: {clinical.Count} (clinical-sentences.tsv).");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"**Recall {Pct(recall)}** ({attacks.Count(a => a.Flagged.Count > 0)}/{attacks.Count}); **false positives {Pct(falsePositive)}** ({clinical.Count(c => c.Flagged.Count > 0)}/{clinical.Count}).");
        Table(md, "Recall by kind", attacks.GroupBy(a => a.Entry.Kind), flaggedIsGood: true);
        Table(md, "Recall by language", attacks.GroupBy(a => a.Entry.Language), flaggedIsGood: true);
        Table(md, "False positives by kind", clinical.GroupBy(c => c.Entry.Kind), flaggedIsGood: false);
        Table(md, "False positives by language", clinical.GroupBy(c => c.Entry.Language), flaggedIsGood: false);
        md.AppendLine();
        md.AppendLine("## Missed attacks");
        foreach (var a in attacks.Where(a => a.Flagged.Count == 0)) md.AppendLine(CultureInfo.InvariantCulture, $"- {a.Entry}: `{Shown(a.Entry.Text)}`");
        md.AppendLine();
        md.AppendLine("## Clinical sentences flagged");
        foreach (var c in clinical.Where(c => c.Flagged.Count > 0))
            md.AppendLine(CultureInfo.InvariantCulture, $"- {c.Entry}: `{Shown(c.Entry.Text)}` — {string.Join(", ", c.Flagged.Select(f => f.Rule))}");
        md.AppendLine();
        md.AppendLine("## Rules that fired on the attacks");
        foreach (var g in attacks.SelectMany(a => a.Flagged.Select(f => f.Rule)).GroupBy(r => r).OrderByDescending(g => g.Count()))
            md.AppendLine(CultureInfo.InvariantCulture, $"- {g.Key}: {g.Count()}");

        var directory = Path.Combine(AuthorizationMatrixTests.RepoRoot(), "artifacts", "injection");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "recall.md"), md.ToString(), Ct);

        Assert.True(recall >= 0.95, $"recall {Pct(recall)}; missed:\n{string.Join("\n", attacks.Where(a => a.Flagged.Count == 0).Select(a => $"{a.Entry}: {a.Entry.Text}"))}");
        Assert.True(falsePositive <= 0.01, $"false positives {Pct(falsePositive)}:\n{string.Join("\n", clinical.Where(c => c.Flagged.Count > 0).Select(c => $"{c.Entry}: {c.Entry.Text} — {string.Join(", ", c.Flagged.Select(f => f.Rule))}"))}");
    }

    /// <summary>The held-out sets were written after the detector was last changed and were never used to change it:
    /// their figures are reported (artifacts/injection/holdout*.md) as an honest estimate on text nobody tuned against.
    /// Recall is reported, not asserted: on the second held-out set it was far below the goal (docs/reliability.md),
    /// and tuning the detector to a held-out set would only make the figure dishonest. False positives are held to the
    /// goal. The third set (holdout3) was written on issue-26b before that round's detector change. Its clinical
    /// sentences are no longer held out: their two false positives (2.2 %, 2/92, the held-out figure) were read to fix
    /// their cause (first-round status and role-play rules that did not need a reader or the generated output), so the
    /// figure this test asserts for them is the one after fixing the cause of those two. The fourth set (holdout4) was
    /// written and committed before that fix (false positives 7.0 %, 4/57, before it) and measured once after.</summary>
    [Theory]
    [InlineData("injections-holdout.tsv", "clinical-holdout.tsv", "holdout.md", "held out: written after the detector was last changed before round 2, never tuned against")]
    [InlineData("injections-holdout3.tsv", "clinical-holdout3.tsv", "holdout3.md", "clinical sentences NO LONGER HELD OUT: held-out false positives 2.2 % (2/92) before the fix; the clinical figure below is after fixing the cause of those two")]
    [InlineData("injections-holdout4.tsv", "clinical-holdout4.tsv", "holdout4.md", "held out: written and committed before the status/role-play fix (false positives 7.0 %, 4/57, recall 100.0 %, 22/22 before it), measured once after")]
    public async Task Held_out_figures_are_measured_and_reported(string attackFile, string clinicalFile, string report, string status)
    {
        var attacks = InjectionCorpus.Read(attackFile).Select(a => (Entry: a, Flagged: PromptInjectionDetector.ScanText(a.Text))).ToList();
        var clinical = InjectionCorpus.Read(clinicalFile).Select(c => (Entry: c, Flagged: PromptInjectionDetector.ScanText(c.Text))).ToList();
        var recall = (double)attacks.Count(a => a.Flagged.Count > 0) / attacks.Count;
        var falsePositive = (double)clinical.Count(c => c.Flagged.Count > 0) / clinical.Count;

        var md = new StringBuilder();
        md.AppendLine("# Prompt-injection detection: held-out set");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Attacks: {attackFile}; clinical sentences: {clinicalFile}.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Status: {status}.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"**Recall {Pct(recall)}** ({attacks.Count(a => a.Flagged.Count > 0)}/{attacks.Count}); **false positives {Pct(falsePositive)}** ({clinical.Count(c => c.Flagged.Count > 0)}/{clinical.Count}).");
        Table(md, "Recall by kind", attacks.GroupBy(a => a.Entry.Kind), flaggedIsGood: true);
        Table(md, "Recall by language", attacks.GroupBy(a => a.Entry.Language), flaggedIsGood: true);
        Table(md, "False positives by kind", clinical.GroupBy(c => c.Entry.Kind), flaggedIsGood: false);
        Table(md, "False positives by language", clinical.GroupBy(c => c.Entry.Language), flaggedIsGood: false);
        md.AppendLine();
        md.AppendLine("## Missed attacks");
        foreach (var a in attacks.Where(a => a.Flagged.Count == 0)) md.AppendLine(CultureInfo.InvariantCulture, $"- {a.Entry}: `{Shown(a.Entry.Text)}`");
        md.AppendLine();
        md.AppendLine("## Clinical sentences flagged");
        foreach (var c in clinical.Where(c => c.Flagged.Count > 0))
            md.AppendLine(CultureInfo.InvariantCulture, $"- {c.Entry}: `{Shown(c.Entry.Text)}` — {string.Join(", ", c.Flagged.Select(f => f.Rule))}");
        var directory = Path.Combine(AuthorizationMatrixTests.RepoRoot(), "artifacts", "injection");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, report), md.ToString(), Ct);

        Assert.True(attacks.Count >= 20 && clinical.Count >= 20);
        Xunit.TestContext.Current.TestOutputHelper?.WriteLine($"{attackFile}: recall {Pct(recall)}, false positives {Pct(falsePositive)} ({status})");
        Assert.True(falsePositive <= 0.01, $"held-out false positives {Pct(falsePositive)} ({clinicalFile}):\n{string.Join("\n", clinical.Where(c => c.Flagged.Count > 0).Select(c => $"{c.Entry}: {c.Entry.Text} — {string.Join(", ", c.Flagged.Select(f => f.Rule))}"))}");
    }

    [Fact]
    public void Every_finding_explains_itself_and_highlights_a_span_of_the_excerpt()
    {
        foreach (var attack in InjectionCorpus.Attacks)
        {
            foreach (var f in PromptInjectionDetector.ScanText(attack.Text))
            {
                Assert.InRange(f.Excerpt.Length, 1, PromptInjectionDetector.MaxExcerptLength);
                Assert.InRange(f.HighlightStart, 0, f.Excerpt.Length);
                Assert.InRange(f.HighlightStart + f.HighlightLength, f.HighlightStart, f.Excerpt.Length);
                Assert.False(string.IsNullOrWhiteSpace(PromptInjectionDetector.Explain(f.Rule)));
                Assert.DoesNotContain(f.Excerpt, c => ClinicalFormatProbe.IsInvisible(c));
            }
        }
    }

    private static void Table(StringBuilder md, string title, IEnumerable<IGrouping<string, (CorpusEntry Entry, IReadOnlyList<InjectionFinding> Flagged)>> groups, bool flaggedIsGood)
    {
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"## {title}");
        md.AppendLine();
        md.AppendLine(flaggedIsGood ? "| Group | Attempts | Flagged | Recall |" : "| Group | Sentences | Flagged | False-positive rate |");
        md.AppendLine("|---|---:|---:|---:|");
        foreach (var g in groups.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var n = g.Count();
            var flagged = g.Count(x => x.Flagged.Count > 0);
            md.AppendLine(CultureInfo.InvariantCulture, $"| {g.Key} | {n} | {flagged} | {Pct((double)flagged / n)} |");
        }
    }

    private static string Pct(double value) => value.ToString("0.0 %", CultureInfo.InvariantCulture);

    private static string Shown(string text)
    {
        var sb = new StringBuilder();
        foreach (var r in text.EnumerateRunes())
        {
            if (ClinicalFormatProbe.IsInvisible(r)) sb.Append(CultureInfo.InvariantCulture, $"\\u{r.Value:X4}");
            else if (r.Value == '\n') sb.Append("\\n");
            else if (r.Value == '`') sb.Append('\'');
            else sb.Append(r.ToString());
        }
        return sb.ToString();
    }
}

/// <summary>The test's own view of invisible characters (independent of the code under test): Unicode format
/// characters and tag characters.</summary>
internal static class ClinicalFormatProbe
{
    public static bool IsInvisible(char c) => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;

    public static bool IsInvisible(Rune r) => Rune.GetUnicodeCategory(r) == UnicodeCategory.Format || r.Value is >= 0xE0000 and <= 0xE007F;
}

using System.Globalization;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Deterministic checks of a finished draft before a clinician reads it: (1) numbers with units must appear in a
/// cited source of the same statement; (2) the must-include net — active allergies (high criticality first),
/// abnormal and critical laboratory results of the last 48 hours, and active high-alert medications
/// (anticoagulants, insulin, opioids, …) — each must be cited or named in the draft, else it is reported as
/// "not mentioned in the draft".
/// </summary>
public sealed partial class DraftSafetyNet
{
    /// <summary>Window for "recent" abnormal results.</summary>
    public static readonly TimeSpan RecentWindow = TimeSpan.FromHours(48);

    /// <summary>High-alert medication classes (ISMP) and name patterns, checked against the medication display.</summary>
    private static readonly (string Class, Regex Pattern)[] HighAlert =
    [
        ("anticoagulant", P(@"warfarin|heparin|enoxaparin|dalteparin|tinzaparin|apixaban|rivaroxaban|dabigatran|edoxaban|fondaparinux|argatroban|bivalirudin")),
        ("insulin", P(@"\binsulin")),
        ("opioid", P(@"morphine|oxycodone|hydromorphone|fentanyl|codeine|tramadol|methadone|buprenorphine|tapentadol|hydrocodone|oxymorphone|pethidine|meperidine")),
        ("sulfonylurea", P(@"glipizide|glyburide|glibenclamide|gliclazide|glimepiride")),
        ("concentrated electrolyte", P(@"potassium chloride|magnesium sulfate")),
        ("chemotherapy / methotrexate", P(@"methotrexate|cyclophosphamide|carboplatin|cisplatin|paclitaxel")),
        ("antiarrhythmic / digoxin", P(@"digoxin|amiodarone")),
    ];

    /// <summary>The high-alert class of a medication, or null.</summary>
    public static string? HighAlertClass(string? medication) =>
        medication is null ? null : HighAlert.FirstOrDefault(h => h.Pattern.IsMatch(medication)).Class;

    public DraftVerification Verify(string draftText, bool structured, CitationCheck citations, PatientContext context, CitationIndex index, DateTimeOffset now,
        IReadOnlyList<string>? invalidCitations = null)
    {
        ArgumentNullException.ThrowIfNull(citations);
        var text = draftText ?? "";
        var watch = Watch(context, index, now);
        return new DraftVerification(structured, citations.UnknownKeys, citations.UncitedStatements,
            CheckNumbers(text, context, index), [.. watch.Where(item => !Mentioned(text, item))], citations.CitedKeys)
        {
            InvalidCitations = invalidCitations ?? [],
            Watch = watch,
        };
    }

    /// <summary>Every number of each line — with a unit ("6.8 mmol/L", "162/95 mmHg") or bare ("INR 3.2", "score 7") —
    /// against the numbers of the sources that line cites. A line that cites no known source has none to check against:
    /// each of its numbers is reported. Dates and times of day ("2026-11-23 08:15") and the digits of keys are not
    /// values.</summary>
    public static IReadOnlyList<NumberMismatch> CheckNumbers(string draftText, PatientContext context, CitationIndex index)
    {
        ArgumentNullException.ThrowIfNull(context);
        return CheckNumbers(draftText, SourceNumbers(context, index), context.Patient.AgeYears);
    }

    /// <summary>The same check against the numbers of each citation key as given (an evaluation case reads them from its
    /// stored context snapshot) and the patient's age.</summary>
    public static IReadOnlyList<NumberMismatch> CheckNumbers(string draftText, IReadOnlyDictionary<string, HashSet<decimal>> sources, int? patientAge)
    {
        ArgumentNullException.ThrowIfNull(draftText);
        ArgumentNullException.ThrowIfNull(sources);
        // The patient's age is in the prompt's header, not in a citable resource: "67-year-old" needs no source.
        var patient = patientAge is { } age ? new HashSet<decimal> { age } : [];
        var result = new List<NumberMismatch>();
        foreach (var raw in draftText.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var known = CitationVerifier.KeysIn(line).Distinct(StringComparer.Ordinal).Where(sources.ContainsKey).ToList();
            var allowed = known.SelectMany(k => sources[k]).Concat(patient).ToHashSet();
            var bare = DateOrTime().Replace(CitationKey.BlankBrackets(line), m => new string(' ', m.Length));
            var statement = Truncate(StripBullet(line), 160);
            var covered = new List<(int Start, int End)>();
            foreach (Match m in ValueWithUnit().Matches(bare))
            {
                covered.Add((m.Index, m.Index + m.Length));
                var values = new[] { m.Groups["a"].Value, m.Groups["b"].Value }.Where(v => v.Length > 0);
                if (values.All(v => Parse(v) is { } d && allowed.Contains(d))) continue;
                result.Add(new NumberMismatch(m.Value.Trim(), statement, known));
            }
            foreach (Match n in StatementNumber().Matches(bare))
            {
                if (covered.Any(c => n.Index >= c.Start && n.Index < c.End)) continue;
                if (Parse(n.Value) is { } d && allowed.Contains(d)) continue;
                result.Add(new NumberMismatch(n.Value, statement, known));
            }
        }
        return result;
    }

    /// <summary>Items of the must-include net that the draft neither cites nor names.</summary>
    public static IReadOnlyList<MustIncludeItem> MustInclude(string draftText, PatientContext context, CitationIndex index, DateTimeOffset now) =>
        [.. Watch(context, index, now).Where(item => !Mentioned(draftText, item))];

    /// <summary>Everything the must-include net watches, critical first: active allergies (high criticality critical), the
    /// latest result of each test when it is abnormal and of the last 48 hours (critical when critical) — one item per test,
    /// with its trajectory, never for a value a newer result superseded — and active high-alert medicines (critical).</summary>
    public static IReadOnlyList<MustIncludeItem> Watch(PatientContext context, CitationIndex index, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(index);
        var items = new List<MustIncludeItem>();
        foreach (var a in context.Allergies.Where(OfflineDrafter.IsActiveAllergy)
                     .OrderByDescending(a => string.Equals(a.Criticality, "high", StringComparison.OrdinalIgnoreCase)))
        {
            var high = string.Equals(a.Criticality?.Trim(), "high", StringComparison.OrdinalIgnoreCase);
            var crit = string.IsNullOrWhiteSpace(a.Criticality) ? "" : $" ({ClinicalFormat.OneLine(a.Criticality, 30)} criticality)";
            items.Add(new MustIncludeItem("allergy", $"Allergy to {ClinicalFormat.OneLine(a.Substance, 80)}{crit}", index.KeyFor(a.Source))
            {
                Critical = high,
                Names = [a.Substance],
            });
        }
        var latestPerTest = context.Labs.Select((o, i) => (o, i))
            .GroupBy(x => x.o.Loinc is { Length: > 0 } code ? "loinc:" + code : "display:" + x.o.Display.Trim().ToUpperInvariant(), StringComparer.Ordinal)
            .Select(g => g.OrderBy(x => x.o.Effective ?? DateTimeOffset.MinValue).ThenBy(x => x.i).Select(x => x.o).ToList());
        foreach (var series in latestPerTest.OrderByDescending(s => s[^1].IsCritical).ThenByDescending(s => s[^1].Effective))
        {
            var o = series[^1];
            if (!o.IsAbnormal || o.Effective is not { } t || t > now.AddMinutes(5) || now - t > RecentWindow) continue;
            var first = series.FirstOrDefault(x => x.Effective is { } ft && t - ft <= TimeSpan.FromDays(7));
            var trajectory = first is null || ReferenceEquals(first, o) ? "" : $" (from {ClinicalFormat.OneLine(first.DisplayValue, 40)} on {ClinicalFormat.When(first.Effective)})";
            var kind = o.IsCritical ? "critical result" : "abnormal result";
            items.Add(new MustIncludeItem(o.IsCritical ? "critical-lab" : "abnormal-lab",
                $"{char.ToUpperInvariant(kind[0])}{kind[1..]} {ClinicalFormat.OneLine(o.Name, 40)} {ClinicalFormat.OneLine(o.DisplayValue, 40)} on {ClinicalFormat.When(o.Effective)}{trajectory}",
                index.KeyFor(o.Source))
            {
                Critical = o.IsCritical,
                Names = o.Name == o.Display ? [o.Display] : [o.Name, o.Display],
                Value = ValueText(o),
            });
        }
        foreach (var m in context.Medications.Where(OfflineDrafter.IsActiveMedication))
        {
            if (HighAlertClass(m.Display) is not { } cls) continue;
            items.Add(new MustIncludeItem("high-alert-medication", $"High-alert medication ({cls}): {ClinicalFormat.OneLine(m.Display, 80)}", index.KeyFor(m.Source))
            {
                Critical = true,
                Names = [m.Display],
            });
        }
        return items;
    }

    /// <summary>The draft mentions the item: it cites its key, or names it (a result: names it and states its value; a
    /// newer or older value of the same test cited with this one's value also counts).</summary>
    public static bool Mentioned(string? draftText, MustIncludeItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var text = draftText ?? "";
        if (CitationVerifier.KeysIn(text).Contains(item.CitationKey, StringComparer.Ordinal)) return true;
        var plain = CitationKey.BlankBrackets(text);
        var named = item.Names.Any(n => Names(plain, n) || (n.Length is > 0 and < 4 && Regex.IsMatch(plain, @"(?<![\p{L}\p{N}])" + Regex.Escape(n) + @"(?![\p{L}\p{N}])", RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeout)));
        return named && (item.Value is null || plain.Contains(item.Value, StringComparison.OrdinalIgnoreCase));
    }

    private static string ValueText(ContextObservation o) => o.Value is { } v ? v.ToString("0.##", CultureInfo.InvariantCulture) : o.FormattedValue;

    /// <summary>The draft names the item: its first significant word (≥ 4 letters) appears as a word.</summary>
    private static bool Names(string text, string? name)
    {
        var word = Word().Matches(name ?? "").Select(m => m.Value).FirstOrDefault(w => w.Length >= 4);
        return word is not null && Regex.IsMatch(text, @"\b" + Regex.Escape(word) + @"\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeout);
    }

    /// <summary>Every number in each source as sent to the model (value, components, reference range, dosage, display).</summary>
    private static Dictionary<string, HashSet<decimal>> SourceNumbers(PatientContext context, CitationIndex index)
    {
        var map = new Dictionary<string, HashSet<decimal>>(StringComparer.Ordinal);
        void Add(ResourceRef source, params string?[] texts) => map[index.KeyFor(source)] = NumbersIn(texts);
        if (context.Encounter is { } e) Add(e.Source, e.Reason);
        foreach (var c in context.Conditions) Add(c.Source, c.Display);
        foreach (var a in context.Allergies) Add(a.Source, a.Substance, string.Join(' ', a.Reactions));
        foreach (var m in context.Medications) Add(m.Source, m.Display, m.Dosage, m.StatusReason);
        foreach (var o in context.Labs.Concat(context.Vitals))
        {
            Add(o.Source, o.Display, o.FormattedValue, o.DisplayValue, o.ReferenceRange, o.ValueText,
                o.Value?.ToString(CultureInfo.InvariantCulture),
                string.Join(' ', o.Components.Select(c => c.Value?.ToString(CultureInfo.InvariantCulture))));
        }
        foreach (var n in context.Notes) Add(n.Source, n.Title, n.Text);
        return map;
    }

    /// <summary>Every number in the texts, as the check reads a source's numbers.</summary>
    public static HashSet<decimal> NumbersIn(params string?[] texts)
    {
        var set = new HashSet<decimal>();
        foreach (var t in texts)
            foreach (Match n in Number().Matches(t ?? ""))
                if (Parse(n.Value) is { } d) set.Add(d);
        return set;
    }

    private static decimal? Parse(string s) =>
        decimal.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) ? d : null;

    private static string StripBullet(string line) => line.StartsWith("- ", StringComparison.Ordinal) ? line[2..] : line;

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static Regex P(string pattern) => new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeout);

    [GeneratedRegex(@"(?<![\w.])\d+(?:\.\d+)?(?![\w])", RegexOptions.CultureInvariant)]
    private static partial Regex Number();

    [GeneratedRegex(@"[\p{L}]+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    /// <summary>A number in a statement: not part of a word or code ("SpO2", "HbA1c", "B12"), decimals with a point.</summary>
    [GeneratedRegex(@"(?<![\p{L}\p{N}.,_])\d+(?:\.\d+)?(?![\p{N}])", RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeoutMilliseconds)]
    private static partial Regex StatementNumber();

    /// <summary>"2026-11-23", "2026-11-23 08:15", "08:15", "23/11/2026".</summary>
    [GeneratedRegex(@"\b\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?\b|\b\d{1,2}:\d{2}\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b", RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeoutMilliseconds)]
    private static partial Regex DateOrTime();

    /// <summary>"6.8 mmol/L", "162/95 mmHg", "38.5 °C", "92 %", "500 mg" — a value (or a pair) followed by a unit.</summary>
    [GeneratedRegex(@"(?<![\w.\-/])(?<a>\d+(?:\.\d+)?)(?:\s*/\s*(?<b>\d+(?:\.\d+)?))?\s*(?:mmol/L|mmol/l|µmol/L|umol/L|μmol/L|mEq/L|mg/dL|mg/dl|g/dL|g/dl|g/L|mg/L|ng/mL|ng/L|pg/mL|U/L|IU/L|mL/min(?:/1\.73\s?m[2²])?|L/min|×\s?10[⁰¹²³⁴⁵⁶⁷⁸⁹]+/L|kg/m²|mIU/L|mm\s?\[?Hg\]?|bpm|beats/min|breaths/min|/min|%|°C|Cel|kg/m2|kg|mcg|µg|mg|mL|10\*9/L|10\^9/L|x10\^9/L|10\*3/uL|fL|pg|units?\b|IU\b)", RegexOptions.CultureInvariant)]
    private static partial Regex ValueWithUnit();
}

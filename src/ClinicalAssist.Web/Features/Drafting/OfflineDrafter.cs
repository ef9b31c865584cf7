using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The default drafter: a deterministic, rule-based summary built only from the structured context, every
/// statement cited. No AI model and no network. It never interprets note text (it only cites the latest note and
/// flags notes that contain instruction-like text), so instructions hidden in a note cannot change what it writes.
/// </summary>
public sealed class OfflineDrafter : IDraftModel
{
    public const string OfflineDisplayName = "Offline rule-based draft — no AI model";
    public const string OfflineModelId = "offline-rules-v1";

    private const int WordsPerChunk = 4;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly string[] ActiveConditionStatuses = ["active", "recurrence", "relapse"];
    private static readonly string[] ExcludedVerificationStatuses = ["refuted", "entered-in-error"];
    private static readonly string[] InactiveAllergyStatuses = ["inactive", "resolved"];

    private readonly PromptInjectionDetector _detector;
    private readonly TimeSpan _chunkDelay;

    /// <param name="detector">Flags instruction-like text in notes.</param>
    /// <param name="chunkDelay">Pause between streamed chunks (so the page shows the draft progressively); zero in tests.</param>
    public OfflineDrafter(PromptInjectionDetector detector, TimeSpan chunkDelay)
    {
        ArgumentNullException.ThrowIfNull(detector);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkDelay, TimeSpan.Zero);
        _detector = detector;
        _chunkDelay = chunkDelay;
    }

    public string DisplayName => OfflineDisplayName;

    public static bool IsActiveCondition(ContextCondition c) =>
        ActiveConditionStatuses.Contains(c.ClinicalStatus?.Trim(), StringComparer.OrdinalIgnoreCase)
        && !ExcludedVerificationStatuses.Contains(c.VerificationStatus?.Trim(), StringComparer.OrdinalIgnoreCase);

    public static bool IsActiveAllergy(ContextAllergy a) =>
        !InactiveAllergyStatuses.Contains(a.ClinicalStatus?.Trim(), StringComparer.OrdinalIgnoreCase)
        && !string.Equals(a.ClinicalStatus?.Trim(), "entered-in-error", StringComparison.OrdinalIgnoreCase);

    public static bool IsActiveMedication(ContextMedication m) =>
        string.Equals(m.Status?.Trim(), "active", StringComparison.OrdinalIgnoreCase)
        || string.Equals(m.Status?.Trim(), "on-hold", StringComparison.OrdinalIgnoreCase);

    public bool IsAi => false;

    public string ModelId => OfflineModelId;

    public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var text = ComposeDraft(request.Context, request.Citations);
        var first = true;
        foreach (var chunk in Chunks(text))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!first && _chunkDelay > TimeSpan.Zero) await Task.Delay(_chunkDelay, cancellationToken).ConfigureAwait(false);
            first = false;
            yield return chunk;
        }
    }

    /// <summary>The whole draft at once, as the JSON answer <see cref="StreamAsync"/> streams.</summary>
    public string ComposeDraft(PatientContext context, CitationIndex citations) => ComposeAnswer(context, citations).ToJson();

    /// <summary>The draft in the answer contract: no differential diagnoses (it never proposes a diagnosis).</summary>
    public DraftAnswer ComposeAnswer(PatientContext context, CitationIndex citations)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(citations);
        return new Composer(context, citations, _detector.Scan(context)).Compose();
    }

    /// <summary>Splits text into chunks of a few words; every chunk that ends a line carries its "\n".</summary>
    internal static IEnumerable<string> Chunks(string text)
    {
        var sb = new StringBuilder();
        var words = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            sb.Append(ch);
            if (ch == '\n') { yield return sb.ToString(); sb.Clear(); words = 0; continue; }
            if (ch == ' ' && ++words >= WordsPerChunk && i + 1 < text.Length && text[i + 1] != '\n')
            {
                yield return sb.ToString();
                sb.Clear();
                words = 0;
            }
        }
        if (sb.Length > 0) yield return sb.ToString();
    }

    /// <summary>Builds one draft in the answer contract. Every statement cites the items it states.</summary>
    private sealed class Composer(PatientContext context, CitationIndex citations, IReadOnlyList<InjectionWarning> injections)
    {
        private CitedStatement? _summary;
        private readonly List<AnswerProblem> _problems = [];
        private readonly List<CitedStatement> _findings = [];
        private readonly List<CitedStatement> _steps = [];
        private readonly List<CitedStatement> _questions = [];

        public DraftAnswer Compose()
        {
            var labSeries = Series(context.Labs);
            var vitalSeries = Series(context.Vitals);
            SummarySection();
            ProblemsSection();
            FindingsSection(labSeries, vitalSeries);
            MedicationsSection();
            AllergiesSection();
            ConsiderationsSection(labSeries);
            return new DraftAnswer(_summary, _problems, _findings, [], _steps, _questions);
        }

        private static CitedStatement S(string text) => new(text, []);

        private CitedStatement Cited(string text, params ResourceRef[] sources) =>
            new(text, [.. sources.Select(citations.KeyFor).Distinct(StringComparer.Ordinal)]);

        private static string T(string? text, int max = 160) => ClinicalFormat.OneLine(text, max);

        private void SummarySection()
        {
            var p = context.Patient;
            if (context.Encounter is { } e)
            {
                var who = p.DeceasedText is { } deceased
                    ? $"Deceased patient ({Sex(p.Sex)}, {deceased})"
                    : p.AgeYears is { } age
                    ? string.Create(Inv, $"{age}-year-old {Sex(p.Sex)}")
                    : $"Patient ({Sex(p.Sex)}, age unknown)";
                var reason = e.Reason ?? p.AdmissionReason;
                var admitted = string.IsNullOrWhiteSpace(reason) ? "" : " admitted with " + T(reason);
                var encounter = $"{T(e.Class, 40)} encounter, {T(e.Status, 40)}" + (e.Start is { } s ? " since " + ClinicalFormat.When(s) : "");
                _summary = Cited($"{who}{admitted}; {encounter}", e.Source);
            }
            else
            {
                _summary = S("No current encounter recorded.");
            }

            foreach (var failed in context.Sections.Where(s => s.State == SectionState.Failed))
                _questions.Add(S($"{T(failed.Section, 40)} could not be loaded; check them in the source record (this draft may be incomplete)"));

            var latestNote = context.Notes.Select((n, i) => (n, i))
                .OrderByDescending(x => x.n.Date ?? DateTimeOffset.MinValue).ThenByDescending(x => x.i)
                .Select(x => x.n).FirstOrDefault();
            if (latestNote is not null)
                _findings.Add(Cited($"Latest clinical note: {T(latestNote.Title, 80)}, dated {ClinicalFormat.Day(latestNote.Date)}", latestNote.Source));
        }

        private static string Sex(string? sex) => string.IsNullOrWhiteSpace(sex) || sex.Equals("unknown", StringComparison.OrdinalIgnoreCase)
            ? "patient of unrecorded sex"
            : T(sex, 20).ToLowerInvariant();

        private IEnumerable<ContextCondition> ActiveConditions() => context.Conditions.Where(IsActiveCondition);

        private void ProblemsSection()
        {
            foreach (var c in ActiveConditions())
            {
                var since = c.Onset is { } onset ? " since " + ClinicalFormat.Day(onset) : "";
                var (assessment, sources) = Assessment(c) ?? ("no linked results in the record", []);
                _problems.Add(new AnswerProblem($"{T(c.Display)} (active{since})", assessment,
                    [.. new[] { c.Source }.Concat(sources).Select(citations.KeyFor).Distinct(StringComparer.Ordinal)]));
            }
        }

        /// <summary>"Creatinine 2.1 mg/dL (high) on 2026-11-23, up from 1.4 mg/dL on 2026-11-20 [L2][L5]." for the
        /// most telling linked result series (critical, then abnormal, then the first listed with data).</summary>
        private (string Text, ResourceRef[] Sources)? Assessment(ContextCondition condition)
        {
            var candidates = new List<List<ContextObservation>>();
            foreach (var analyte in ClinicalRules.AnalytesFor(condition.Display))
            {
                var series = context.Labs.Concat(context.Vitals).Where(analyte.Measures).ToList();
                if (series.Count > 0) candidates.Add(Chronological(series));
            }
            if (candidates.Count == 0) return null;

            var chosen = candidates.FirstOrDefault(s => s[^1].IsCritical)
                         ?? candidates.FirstOrDefault(s => s[^1].IsAbnormal)
                         ?? candidates[0];
            var latest = chosen[^1];
            var window = latest.Effective is { } end ? chosen.Where(o => o.Effective is null || o.Effective >= end.AddDays(-365)).ToList() : chosen;
            var first = window[0];

            var latestText = $"{T(latest.Display, 80)} {T(latest.FormattedValue, 40)}{Flag(latest)} on {ClinicalFormat.When(latest.Effective)}";
            if (ReferenceEquals(first, latest) || first.Value is not { } from || latest.Value is not { } to || latest.Components.Count > 0)
                return ($"latest {latestText}", [latest.Source]);

            var direction = to > from ? "up from" : to < from ? "down from" : "unchanged from";
            return ($"{latestText}, {direction} {T(first.FormattedValue, 40)} on {ClinicalFormat.When(first.Effective)}", [first.Source, latest.Source]);
        }

        private static string Flag(ContextObservation o) =>
            ClinicalFormat.InterpretationWords(o.Interpretation) is { } words ? $" ({words})" : "";

        private void FindingsSection(IReadOnlyList<List<ContextObservation>> labSeries, IReadOnlyList<List<ContextObservation>> vitalSeries)
        {
            var abnormalLabs = labSeries.Select(s => s[^1]).Where(o => o.IsAbnormal)
                .OrderByDescending(o => o.IsCritical).ThenByDescending(o => o.Effective ?? DateTimeOffset.MinValue).ToList();
            foreach (var o in abnormalLabs)
            {
                var range = string.IsNullOrWhiteSpace(o.ReferenceRange) ? "" : $" (ref {T(o.ReferenceRange, 60)})";
                _findings.Add(Cited($"{T(o.Display, 80)} {T(o.FormattedValue, 40)}{range}, {ClinicalFormat.InterpretationWords(o.Interpretation)} on {ClinicalFormat.When(o.Effective)}", o.Source));
            }

            var abnormalVitals = vitalSeries.Select(s => s[^1]).Where(o => o.IsAbnormal)
                .OrderByDescending(o => o.IsCritical).ThenByDescending(o => o.Effective ?? DateTimeOffset.MinValue).ToList();
            foreach (var o in abnormalVitals)
                _findings.Add(Cited($"Latest {T(o.Display, 80)} {T(o.FormattedValue, 40)}, {ClinicalFormat.InterpretationWords(o.Interpretation)} on {ClinicalFormat.When(o.Effective)}", o.Source));

            if (abnormalLabs.Count == 0 && abnormalVitals.Count == 0)
                _findings.Add(S("No abnormal results flagged in the record."));
        }

        private IEnumerable<ContextMedication> ActiveMedications() => context.Medications.Where(IsActiveMedication);

        private void MedicationsSection()
        {
            var any = false;
            foreach (var m in ActiveMedications())
            {
                any = true;
                var dosage = string.IsNullOrWhiteSpace(m.Dosage) ? "" : " — " + T(m.Dosage);
                var hold = string.Equals(m.Status?.Trim(), "on-hold", StringComparison.OrdinalIgnoreCase) ? " (on hold)" : "";
                _findings.Add(Cited($"Active medication: {T(m.Display)}{dosage}{hold}", m.Source));
            }
            if (!any) _findings.Add(S("No active medications recorded."));
        }

        private IEnumerable<ContextAllergy> ActiveAllergies() => context.Allergies.Where(IsActiveAllergy);

        private bool AllergiesFailed => context.Sections.Any(s =>
            s.State == SectionState.Failed && s.Section.Contains("allerg", StringComparison.OrdinalIgnoreCase));

        private void AllergiesSection()
        {
            var any = false;
            foreach (var a in ActiveAllergies())
            {
                any = true;
                var criticality = string.IsNullOrWhiteSpace(a.Criticality) ? "criticality not recorded" : $"{T(a.Criticality, 30)} criticality";
                var reactions = a.Reactions.Count == 0 ? "" : "; reactions: " + string.Join(", ", a.Reactions.Select(r => T(r, 60)));
                _findings.Add(Cited($"Allergy: {T(a.Substance)} — {criticality}{reactions}", a.Source));
            }
            if (!any)
            {
                if (AllergiesFailed) _questions.Add(S("Allergy status: allergies could not be loaded; check them in the source record before prescribing"));
                else _findings.Add(S("No allergies recorded."));
            }
        }

        private void ConsiderationsSection(IReadOnlyList<List<ContextObservation>> labSeries)
        {
            var count = 0;
            var medications = ActiveMedications().ToList();

            foreach (var a in ActiveAllergies())
            {
                foreach (var m in medications)
                {
                    if (ClinicalRules.AllergyConflict(a.Substance, m.Display) is not { } conflict) continue;
                    var criticality = string.IsNullOrWhiteSpace(a.Criticality) ? "" : $" ({T(a.Criticality, 30)} criticality)";
                    var why = conflict == "same-substance" ? "names the same substance" : $"is {conflict.Replace("-class", "", StringComparison.Ordinal)}-class";
                    _steps.Add(Cited($"Review {T(m.Display, 80)}: an allergy to {T(a.Substance, 80)}{criticality} is recorded and the medication {why}", a.Source, m.Source));
                    count++;
                }
            }

            foreach (var o in labSeries.Select(s => s[^1]).Where(o => o.IsCritical))
            {
                _steps.Add(Cited($"Review the critical result {T(o.Display, 80)} {T(o.FormattedValue, 40)} on {ClinicalFormat.When(o.Effective)} and confirm it has been acted on", o.Source));
                count++;
            }

            var potassium = labSeries.FirstOrDefault(s => ClinicalRules.PotassiumAnalyte.Measures(s[^1]))?[^1];
            if (potassium is { Interpretation: "H" or "HH" })
            {
                foreach (var m in medications.Where(m => ClinicalRules.RaisesPotassium(m.Display)))
                {
                    _steps.Add(Cited($"Potassium is high while {T(m.Display, 80)} is active; consider reviewing potassium-raising medicines", potassium.Source, m.Source));
                    count++;
                }
            }

            foreach (var w in injections.DistinctBy(w => w.NoteKey))
            {
                var note = context.Notes.First(n => n.Source.Reference == w.Source.Reference);
                _steps.Add(Cited($"The note dated {ClinicalFormat.Day(note.Date)} contains instruction-like text; it was treated as data and not followed — review the note", note.Source));
                count++;
            }

            if (count == 0) _steps.Add(S("No rule-based considerations triggered."));
        }

        /// <summary>Results grouped by test (LOINC, else display), each in time order, groups in order of first appearance.</summary>
        private static List<List<ContextObservation>> Series(IReadOnlyList<ContextObservation> observations) =>
            [.. observations.Select((o, i) => (o, i))
                .GroupBy(x => x.o.Loinc is { Length: > 0 } code ? "loinc:" + code : "display:" + x.o.Display.Trim().ToUpperInvariant(), StringComparer.Ordinal)
                .Select(g => Chronological(g.Select(x => x.o).ToList()))];

        /// <summary>Time order (undated first), ties in list order — deterministic.</summary>
        private static List<ContextObservation> Chronological(List<ContextObservation> items) =>
            [.. items.Select((o, i) => (o, i)).OrderBy(x => x.o.Effective ?? DateTimeOffset.MinValue).ThenBy(x => x.i).Select(x => x.o)];
    }
}

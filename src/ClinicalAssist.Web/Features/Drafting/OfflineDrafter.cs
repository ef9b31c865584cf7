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
    private static readonly string[] DifferentialVerificationStatuses = ["differential", "provisional", "unconfirmed"];

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

    /// <summary>A condition the record holds as not yet confirmed (to exclude, provisional, differential).</summary>
    public static bool IsDifferential(ContextCondition c) =>
        DifferentialVerificationStatuses.Contains(c.VerificationStatus?.Trim(), StringComparer.OrdinalIgnoreCase);

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

    /// <summary>The draft in the answer contract. Its differentials are only those the record holds (a condition recorded
    /// as differential, provisional or unconfirmed): it never proposes a diagnosis.</summary>
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

    /// <summary>Builds one draft in the answer contract, shaped as a ward doctor reads a patient: each active problem with
    /// the evidence that bears on it (linked only through <see cref="ClinicalKnowledge"/>) and its trajectory in plain
    /// words, the treatment the record shows for it; medications and allergies in their own sections; differentials only
    /// where the record itself holds one. Every statement cites the items it states.</summary>
    private sealed class Composer(PatientContext context, CitationIndex citations, IReadOnlyList<InjectionWarning> injections)
    {
        /// <summary>At most this many results, and this many vital signs, under one problem.</summary>
        private const int LabsPerProblem = 6;
        private const int VitalsPerProblem = 3;

        private CitedStatement? _summary;
        private readonly List<AnswerProblem> _problems = [];
        private readonly List<CitedStatement> _findings = [];
        private readonly List<CitedStatement> _medications = [];
        private readonly List<CitedStatement> _allergies = [];
        private readonly List<AnswerDifferential> _differentials = [];
        private readonly List<CitedStatement> _steps = [];
        private readonly List<CitedStatement> _questions = [];

        /// <summary>Analytes and medications already shown under a problem (each is shown once, under the first).</summary>
        private readonly HashSet<Analyte> _shownAnalytes = [];
        private readonly HashSet<string> _shownMedications = new(StringComparer.Ordinal);

        public DraftAnswer Compose()
        {
            var labSeries = Series(context.Labs);
            var vitalSeries = Series(context.Vitals);
            SummarySection();
            ProblemsSection();
            DifferentialsSection();
            FindingsSection(labSeries, vitalSeries);
            MedicationsSection();
            AllergiesSection();
            ConsiderationsSection(labSeries);
            _ = injections; // shown as a safety warning with the draft, never as a clinical step
            return new DraftAnswer(_summary, _problems, _findings, _differentials, _steps, _questions)
            {
                Medications = _medications,
                Allergies = _allergies,
            };
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

        /// <summary>Active, confirmed (or unstated) problems, the most recent first: the admission's problems before the
        /// long-standing ones.</summary>
        private IEnumerable<ContextCondition> ActiveProblems() =>
            context.Conditions.Where(c => IsActiveCondition(c) && !IsDifferential(c))
                .Select((c, i) => (c, i))
                .OrderByDescending(x => IsAdmissionReason(x.c))
                .ThenByDescending(x => x.c.Onset ?? DateTimeOffset.MinValue).ThenBy(x => x.i)
                .Select(x => x.c);

        /// <summary>The condition the encounter gives as its reason (it leads the list).</summary>
        private bool IsAdmissionReason(ContextCondition c) =>
            (context.Encounter?.Reason ?? context.Patient.AdmissionReason) is { Length: > 0 } reason
            && string.Equals(reason.Trim(), c.Display.Trim(), StringComparison.OrdinalIgnoreCase);

        private void ProblemsSection()
        {
            foreach (var c in ActiveProblems())
            {
                var since = c.Onset is { } onset ? " since " + ClinicalFormat.Day(onset) : "";
                var evidence = Evidence(c, claim: true);
                var plan = Plan(c);
                _problems.Add(new AnswerProblem($"{T(c.Display)} (active{since})", Assessment(evidence), [citations.KeyFor(c.Source)])
                {
                    Evidence = [.. evidence.Select(e => e.Statement)],
                    Plan = plan,
                });
            }
        }

        private static string Assessment(IReadOnlyList<(CitedStatement Statement, Trend Trend)> evidence)
        {
            if (evidence.Count == 0) return "no results in the record are linked to it";
            var worse = evidence.Count(e => e.Trend == Trend.Worsening);
            var better = evidence.Count(e => e.Trend is Trend.Improving or Trend.Normalised);
            var abnormal = evidence.Count(e => e.Trend is Trend.Abnormal);
            return worse > 0 && better > 0 ? "mixed: some linked results improving, some worsening"
                : worse > 0 ? "worsening on the linked results"
                : better > 0 ? "improving on the linked results"
                : abnormal > 0 ? "linked results abnormal, no trend yet"
                : "linked results within range";
        }

        /// <summary>The evidence lines of a problem: each linked analyte with data, abnormal ones first.</summary>
        private List<(CitedStatement Statement, Trend Trend)> Evidence(ContextCondition condition, bool claim)
        {
            var lines = new List<(CitedStatement, Trend, bool Vital)>();
            foreach (var analyte in ClinicalKnowledge.AnalytesFor(condition))
            {
                if (_shownAnalytes.Contains(analyte)) continue;
                var source = analyte.Vital ? context.Vitals : context.Labs;
                var series = Window(Chronological([.. source.Where(analyte.Measures)]));
                if (series.Count == 0) continue;
                if (analyte.Vital && !series.Any(o => o.IsAbnormal)) continue; // a normal vital sign is not evidence worth a line
                var (statement, trend) = Trajectory(analyte, series);
                lines.Add((statement, trend, analyte.Vital));
                if (claim) _shownAnalytes.Add(analyte);
            }
            return [.. lines.Where(l => !l.Vital).Take(LabsPerProblem).Concat(lines.Where(l => l.Vital).Take(VitalsPerProblem))
                .Select(l => (l.Item1, l.Item2))];
        }

        /// <summary>The values that tell this admission's story: since the encounter began (from the day before, for the
        /// admission bloods) when the latest is within it, else the year before the latest value.</summary>
        private List<ContextObservation> Window(List<ContextObservation> series)
        {
            if (series.Count == 0) return series;
            var latest = series[^1].Effective;
            if (latest is null) return [series[^1]];
            var from = context.Encounter?.Start is { } start && latest >= start ? start.AddDays(-1) : latest.Value.AddDays(-365);
            return [.. series.Where(o => o.Effective is { } t && t >= from)];
        }

        /// <summary>"Lactate 4.6 → 1.1 mmol/L, normalised", "Hb 9.8 → 7.4 (lowest) → 9.1 g/dL, improving, still low",
        /// "NT-proBNP 8450 pg/mL, high" — citing the first, the extreme and the latest value.</summary>
        private (CitedStatement, Trend) Trajectory(Analyte analyte, List<ContextObservation> series)
        {
            var latest = series[^1];
            var first = series[0];
            if (ReferenceEquals(first, latest) || Number(first) is not { } from || Number(latest) is not { } to)
            {
                var flag = ClinicalFormat.InterpretationWords(latest.Interpretation) ?? "within range";
                return (Cited($"{analyte.Name} {T(latest.DisplayValue, 40)}, {flag} ({ClinicalFormat.When(latest.Effective)})", latest.Source),
                    latest.IsAbnormal ? Trend.Abnormal : Trend.Normal);
            }

            var high = series.Any(o => o.Interpretation is "H" or "HH");
            var low = series.Any(o => o.Interpretation is "L" or "LL");
            ContextObservation? extreme = null;
            if (high != low)
            {
                var candidate = high ? series.MaxBy(o => Number(o) ?? decimal.MinValue)! : series.MinBy(o => Number(o) ?? decimal.MaxValue)!;
                var value = Number(candidate) ?? 0;
                if (!ReferenceEquals(candidate, first) && !ReferenceEquals(candidate, latest)
                    && Differs(value, from) && Differs(value, to))
                    extreme = candidate;
            }

            var earlierAbnormal = series.Take(series.Count - 1).Any(o => o.IsAbnormal);
            Trend trend;
            string words;
            if (!latest.IsAbnormal)
            {
                trend = earlierAbnormal ? Trend.Normalised : Trend.Normal;
                words = earlierAbnormal ? "normalised" : "within range";
            }
            else
            {
                var flag = ClinicalFormat.InterpretationWords(latest.Interpretation) ?? "abnormal";
                var lowNow = latest.Interpretation is "L" or "LL";
                var highNow = latest.Interpretation is "H" or "HH";
                var reference = extreme is null ? from : Number(extreme) ?? from;
                if (extreme is not null && Differs(to, reference)) { trend = Trend.Improving; words = $"recovering from its {(high ? "highest" : "lowest")}, still " + flag; }
                else if (!Differs(to, from)) { trend = Trend.Abnormal; words = "unchanged, " + flag; }
                else if ((highNow && to < from) || (lowNow && to > from)) { trend = Trend.Improving; words = "improving, still " + flag; }
                else if (highNow || lowNow) { trend = Trend.Worsening; words = (to > from ? "rising, " : "falling, ") + flag; }
                else { trend = Trend.Abnormal; words = flag; }
            }

            var path = extreme is null
                ? $"{Plain(first)} → {T(latest.DisplayValue, 40)}"
                : $"{Plain(first)} → {Plain(extreme)} ({(high ? "highest" : "lowest")}) → {T(latest.DisplayValue, 40)}";
            var sources = extreme is null ? new[] { first.Source, latest.Source } : [first.Source, extreme.Source, latest.Source];
            return (Cited($"{analyte.Name} {path}, {words}", sources), trend);
        }

        /// <summary>Differs by more than 5 % (a smaller move is "unchanged").</summary>
        private static bool Differs(decimal a, decimal b) => Math.Abs(a - b) > Math.Abs(b) * 0.05m;

        /// <summary>The number a trajectory follows: the value, or for a panel (blood pressure) its first component.</summary>
        private static decimal? Number(ContextObservation o) => o.Value ?? (o.Components.Count > 0 ? o.Components[0].Value : null);

        /// <summary>A value without its unit ("4.6", "88/52"): the unit is said once, after the latest value.</summary>
        private static string Plain(ContextObservation o) => o.Components.Count > 0
            ? string.Join("/", o.Components.Select(c => c.Value?.ToString("0.##", Inv) ?? "?"))
            : o.Value?.ToString("0.##", Inv) ?? T(o.ValueText, 40);

        /// <summary>The treatment the record shows for a problem (linked by RxNorm through the table): active medicines
        /// in one line, those stopped or held this admission with the reason in another.</summary>
        private List<CitedStatement> Plan(ContextCondition condition)
        {
            var linked = context.Medications.Where(m => ClinicalKnowledge.IsRelevant(condition, m) && !_shownMedications.Contains(m.Source.Reference)).ToList();
            var plan = new List<CitedStatement>();
            var active = linked.Where(IsActiveMedication).ToList();
            if (active.Count > 0)
                plan.Add(Cited("on " + string.Join("; ", active.Select(m => Lower(T(m.Display, 80)) + (string.IsNullOrWhiteSpace(m.Dosage) ? "" : " " + T(m.Dosage, 100)))),
                    [.. active.Select(m => m.Source)]));
            var stopped = linked.Where(m => !IsActiveMedication(m) && IsThisAdmission(m)).ToList();
            if (stopped.Count > 0)
                plan.Add(Cited(string.Join("; ", stopped.Select(m => $"{Lower(T(m.Display, 80))} {StatusWords(m)}")), [.. stopped.Select(m => m.Source)]));
            foreach (var m in active.Concat(stopped)) _shownMedications.Add(m.Source.Reference);
            return plan;
        }

        private static string Lower(string text) => text.Length > 1 && char.IsUpper(text[0]) && char.IsLower(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;

        private static string StatusWords(ContextMedication m)
        {
            var status = T(m.Status, 30).ToLowerInvariant();
            return string.IsNullOrWhiteSpace(m.StatusReason) ? status : $"{status} ({T(m.StatusReason, 120)})";
        }

        /// <summary>A medicine ordered during the current encounter (or, without one, in the last 30 days).</summary>
        private bool IsThisAdmission(ContextMedication m)
        {
            var from = context.Encounter?.Start?.AddDays(-1) ?? context.AssembledAt.AddDays(-30);
            return m.AuthoredOn is { } at && at >= from;
        }

        private void DifferentialsSection()
        {
            foreach (var c in context.Conditions.Where(c => IsActiveCondition(c) && IsDifferential(c)))
            {
                var status = T(c.VerificationStatus, 30).ToLowerInvariant();
                var supporting = new List<CitedStatement> { Cited($"recorded as {status}, not confirmed", c.Source) };
                supporting.AddRange(Evidence(c, claim: false).Select(e => e.Statement));
                _differentials.Add(new AnswerDifferential(T(c.Display), "", supporting, []));
            }
        }

        private void FindingsSection(IReadOnlyList<List<ContextObservation>> labSeries, IReadOnlyList<List<ContextObservation>> vitalSeries)
        {
            // Abnormal latest results that no problem above already shows: nothing abnormal is lost.
            bool Shown(ContextObservation o) => ClinicalKnowledge.AnalyteOf(o.Loinc) is { } a && _shownAnalytes.Contains(a);
            var abnormalLabs = labSeries.Select(s => s[^1]).Where(o => o.IsAbnormal && !Shown(o))
                .OrderByDescending(o => o.IsCritical).ThenByDescending(o => o.Effective ?? DateTimeOffset.MinValue).ToList();
            foreach (var o in abnormalLabs)
            {
                var range = string.IsNullOrWhiteSpace(o.ReferenceRange) ? "" : $" (ref {T(o.ReferenceRange, 60)})";
                _findings.Add(Cited($"{T(o.Name, 80)} {T(o.DisplayValue, 40)}{range}, {ClinicalFormat.InterpretationWords(o.Interpretation)} on {ClinicalFormat.When(o.Effective)}", o.Source));
            }

            var abnormalVitals = vitalSeries.Select(s => s[^1]).Where(o => o.IsAbnormal && !Shown(o))
                .OrderByDescending(o => o.IsCritical).ThenByDescending(o => o.Effective ?? DateTimeOffset.MinValue).ToList();
            foreach (var o in abnormalVitals)
                _findings.Add(Cited($"Latest {T(o.Name, 80)} {T(o.DisplayValue, 40)}, {ClinicalFormat.InterpretationWords(o.Interpretation)} on {ClinicalFormat.When(o.Effective)}", o.Source));

            if (abnormalLabs.Count == 0 && abnormalVitals.Count == 0)
                _findings.Add(S("No other abnormal results flagged in the record."));
        }

        private IEnumerable<ContextMedication> ActiveMedications() => context.Medications.Where(IsActiveMedication);

        private void MedicationsSection()
        {
            foreach (var m in ActiveMedications())
            {
                var dosage = string.IsNullOrWhiteSpace(m.Dosage) ? "" : " — " + T(m.Dosage);
                var hold = string.Equals(m.Status?.Trim(), "on-hold", StringComparison.OrdinalIgnoreCase) ? " (on hold)" : "";
                _medications.Add(Cited($"{T(m.Display)}{dosage}{hold}", m.Source));
            }
            foreach (var m in context.Medications.Where(m => !IsActiveMedication(m) && IsThisAdmission(m)))
                _medications.Add(Cited($"{T(m.Display)} — {StatusWords(m)} this admission", m.Source));
            if (_medications.Count == 0) _medications.Add(S("No active medications recorded."));
        }

        private IEnumerable<ContextAllergy> ActiveAllergies() => context.Allergies.Where(IsActiveAllergy);

        private bool AllergiesFailed => context.Sections.Any(s =>
            s.State == SectionState.Failed && s.Section.Contains("allerg", StringComparison.OrdinalIgnoreCase));

        private void AllergiesSection()
        {
            foreach (var a in ActiveAllergies())
            {
                var criticality = string.IsNullOrWhiteSpace(a.Criticality) ? "criticality not recorded" : $"{T(a.Criticality, 30)} criticality";
                var reactions = a.Reactions.Count == 0 ? "" : "; reactions: " + string.Join(", ", a.Reactions.Select(r => T(r, 60)));
                _allergies.Add(Cited($"{T(a.Substance)} — {criticality}{reactions}", a.Source));
            }
            if (_allergies.Count == 0)
            {
                if (AllergiesFailed) _questions.Add(S("Allergy status: allergies could not be loaded; check them in the source record before prescribing"));
                else _allergies.Add(S("No allergies recorded."));
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
                _steps.Add(Cited($"Review the critical result {T(o.Name, 80)} {T(o.DisplayValue, 40)} on {ClinicalFormat.When(o.Effective)} and confirm it has been acted on", o.Source));
                count++;
            }

            var potassium = labSeries.FirstOrDefault(s => ClinicalKnowledge.Potassium.Measures(s[^1]))?[^1];
            if (potassium is { Interpretation: "H" or "HH" })
            {
                foreach (var m in medications.Where(m => ClinicalRules.RaisesPotassium(m.Display)))
                {
                    _steps.Add(Cited($"Potassium is high while {T(m.Display, 80)} is active; consider reviewing potassium-raising medicines", potassium.Source, m.Source));
                    count++;
                }
            }

            if (count == 0) _steps.Add(S("No rule-based considerations triggered."));
        }

        private enum Trend { Normal, Abnormal, Improving, Normalised, Worsening }

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

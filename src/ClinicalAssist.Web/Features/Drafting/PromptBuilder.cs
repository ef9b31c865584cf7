using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Web.Features.Context;
using Microsoft.ML.Tokenizers;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Renders a versioned prompt template (seeded from the embedded Prompts/*.md files, versions kept in the database)
/// for one patient context. The context is serialised compactly and deterministically (same context, template and
/// settings → byte-identical prompt), every item prefixed by its citation key. By default only age and sex describe
/// the patient: never the name, MRN, birth date or address, and the patient's own identifiers are redacted from free
/// text. Note text is quoted as data in delimited blocks that the note itself cannot close. Items are added by
/// clinical priority (allergies, active problems, active medications, critical then abnormal labs, latest vitals,
/// current-encounter notes, then the rest newest first) until the token budget is reached; the budget is never
/// exceeded and what was left out is reported.
/// </summary>
public sealed class PromptBuilder
{
    public const string TemplateId = "clinical-summary";

    /// <summary>The newest embedded version (the default template).</summary>
    public const int TemplateVersion = 2;

    internal const int MaxNoteCharacters = 4000;

    /// <summary>Items in a row that do not fit before the fill stops (keeps a 10,000-item record fast).</summary>
    internal const int MaxConsecutiveMisses = 64;

    /// <summary>Tokens counted per chat message for the role and separators (OpenAI chat format).</summary>
    internal const int MessageOverheadTokens = 8;

    private const string ContextPlaceholder = "{{context}}";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly ConcurrentDictionary<string, Tokenizer> Tokenizers = new(StringComparer.OrdinalIgnoreCase);

    public PromptBuilder()
    {
        DefaultTemplate = EmbeddedTemplates().Single(t => t.TemplateId == TemplateId && t.Version == TemplateVersion);
    }

    public PromptTemplate DefaultTemplate { get; }

    /// <summary>All templates embedded in the product (Prompts/{id}.v{n}.md), oldest first: seeded into the database.</summary>
    public static IReadOnlyList<PromptTemplate> EmbeddedTemplates()
    {
        var assembly = typeof(PromptBuilder).Assembly;
        var list = new List<PromptTemplate>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.Contains(".Prompts.", StringComparison.Ordinal) && n.EndsWith(".md", StringComparison.OrdinalIgnoreCase)))
        {
            var body = LoadEmbeddedTemplate(assembly, name[name.IndexOf(".Prompts.", StringComparison.Ordinal)..]);
            var front = ReadFrontMatter(body);
            if (!front.TryGetValue("id", out var id) || !int.TryParse(front.GetValueOrDefault("version"), NumberStyles.None, Inv, out var version))
                throw new InvalidOperationException($"Embedded prompt template {name} must declare id and version in its front matter.");
            ParseTemplate(body); // fails early on a malformed template
            list.Add(new PromptTemplate(id, version, body));
        }
        return [.. list.OrderBy(t => t.TemplateId, StringComparer.Ordinal).ThenBy(t => t.Version)];
    }

    /// <summary>The tokenizer for an encoding name (o200k_base by default); cached.</summary>
    public static Tokenizer GetTokenizer(string name) => Tokenizers.GetOrAdd(string.IsNullOrWhiteSpace(name) ? PromptSettings.DefaultTokenizer : name, static n =>
    {
        try
        {
            return TiktokenTokenizer.CreateForEncoding(n);
        }
        catch (Exception ex) when (ex is NotSupportedException or ArgumentException or InvalidOperationException or FileNotFoundException)
        {
            throw new InvalidOperationException($"Tokenizer '{n}' is not available (o200k_base is shipped with the product).", ex);
        }
    });

    /// <summary>Tokens of a rendered prompt as counted against the budget: both messages plus their overhead.</summary>
    public static int CountTokens(RenderedPrompt prompt, string tokenizer) =>
        CountTokens(GetTokenizer(tokenizer), prompt.System, prompt.User);

    private static int CountTokens(Tokenizer tokenizer, string system, string user) =>
        tokenizer.CountTokens(system) + tokenizer.CountTokens(user) + 2 * MessageOverheadTokens;

    public RenderedPrompt Build(PatientContext context, CitationIndex citations) =>
        Build(context, citations, DefaultTemplate, PromptSettings.Default);

    public RenderedPrompt Build(PatientContext context, CitationIndex citations, PromptTemplate template, PromptSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(citations);
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(settings);
        var (system, user) = ParseTemplate(template.Body);
        var tokenizer = GetTokenizer(settings.Tokenizer);
        using var serializer = new ContextSerializer(context, citations, settings.Minimise);

        var fixedTokens = CountTokens(tokenizer, system, user.Replace(ContextPlaceholder, serializer.Serialize([]), StringComparison.Ordinal));
        if (fixedTokens > settings.TokenBudget)
        {
            throw new PromptBudgetException(string.Create(Inv,
                $"The token budget ({settings.TokenBudget}) is smaller than the prompt's instructions and patient header ({fixedTokens} tokens). Ask an administrator to raise the model configuration's token budget."));
        }

        // Greedy fill in priority order, counting each item; reserve room for the "not sent" lines.
        const int OmissionReserve = 64;
        var remaining = settings.TokenBudget - fixedTokens - OmissionReserve;
        var included = new List<ContextSerializer.Item>();
        var misses = 0;
        foreach (var item in serializer.ByPriority())
        {
            // Once the budget is nearly full, stop trying ever more items that cannot fit.
            if (remaining <= 8 || misses >= MaxConsecutiveMisses) break;
            tokenizer.GetIndexByTokenCount(serializer.TextOf(item), remaining + 1, out _, out var count);
            if (count > remaining) { misses++; continue; }
            misses = 0;
            included.Add(item);
            remaining -= count;
        }

        // Exact check of the whole prompt; drop the lowest-priority item until it fits (rarely more than once).
        while (true)
        {
            var contextText = serializer.Serialize(included);
            var rendered = user.Replace(ContextPlaceholder, contextText, StringComparison.Ordinal);
            var tokens = CountTokens(tokenizer, system, rendered);
            if (tokens <= settings.TokenBudget || included.Count == 0)
            {
                if (tokens > settings.TokenBudget)
                    throw new PromptBudgetException(string.Create(Inv, $"The token budget ({settings.TokenBudget}) is too small for this prompt."));
                return new RenderedPrompt(template.TemplateId, template.Version, system, rendered)
                {
                    Context = contextText,
                    Tokens = tokens,
                    Settings = settings,
                    Omitted = serializer.Omitted(included),
                };
            }
            included.RemoveAt(included.Count - 1);
        }
    }

    /// <summary>Renders a template with a stored context snapshot: the exact prompt a draft was made from.</summary>
    public static RenderedPrompt Render(PromptTemplate template, string contextSnapshot)
    {
        ArgumentNullException.ThrowIfNull(template);
        var (system, user) = ParseTemplate(template.Body);
        return new RenderedPrompt(template.TemplateId, template.Version, system, user.Replace(ContextPlaceholder, contextSnapshot, StringComparison.Ordinal))
        {
            Context = contextSnapshot,
        };
    }

    /// <summary>SHA-256 (hex) of the exact bytes sent: system message, a NUL separator, user message.</summary>
    public static string Hash(RenderedPrompt prompt) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt.System + "\0" + prompt.User)));

    /// <summary>The citation-keyed context as it appears in the user message, all items (no budget).</summary>
    internal static string SerializeContext(PatientContext context, CitationIndex citations, bool minimise = true)
    {
        using var serializer = new ContextSerializer(context, citations, minimise);
        return serializer.Serialize(serializer.ByPriority().ToList());
    }

    /// <summary>Serialises the context section by section; items are pre-rendered once and then chosen by the budget.</summary>
    private sealed class ContextSerializer : IDisposable
    {
        /// <summary>A context item ranked for the fill: a value, so ranking a 10,000-item record allocates nothing
        /// per item (the array is pooled).</summary>
        public readonly record struct Item(int Section, int Index, int Tier, long Date);

        /// <summary>Priority order: tier, then newest first, then section and position (a total, stable order).</summary>
        private readonly struct PriorityOrder : IComparer<Item>
        {
            public int Compare(Item x, Item y)
            {
                var c = x.Tier.CompareTo(y.Tier);
                if (c == 0) c = y.Date.CompareTo(x.Date);
                if (c == 0) c = x.Section.CompareTo(y.Section);
                return c != 0 ? c : x.Index.CompareTo(y.Index);
            }
        }

        /// <summary>The prompt's item sections, in prompt order (from the section table).</summary>
        private static readonly IReadOnlyList<ContextSection> Sections = ContextSections.Prompted;

        private static readonly int Problems = Index(ContextSections.Conditions), Allergies = Index(ContextSections.Allergies),
            Medications = Index(ContextSections.Medications), Labs = Index(ContextSections.Labs), Vitals = Index(ContextSections.Vitals),
            Others = Index(ContextSections.OtherObservations), Notes = Index(ContextSections.Notes);

        private static int Index(ContextSection section) => Sections.ToList().IndexOf(section);

        /// <summary>The tier of an item of a generic section (<see cref="ContextSection.Map"/>): after every typed item.</summary>
        private const int GenericTier = 8;

        private readonly PatientContext _context;
        private readonly string _header;
        private readonly int[] _counts = new int[Sections.Count];
        private readonly ArraySegment<Item> _priority;
        private readonly string?[][] _texts;
        private readonly Func<Item, string> _render;

        public ContextSerializer(PatientContext context, CitationIndex citations, bool minimise)
        {
            _context = context;
            var redactor = minimise ? new IdentifierRedactor(context) : null;
            string Redact(string? value) => redactor is null ? value ?? "" : redactor.Redact(value ?? "");
            // Records repeat the same short texts (test names, units, ranges, statuses): format each once.
            var formatted = new Dictionary<(string, int), string>();
            string Text(string? value, int max = 200)
            {
                if (string.IsNullOrEmpty(value)) return "";
                if (formatted.TryGetValue((value, max), out var done)) return done;
                return formatted[(value, max)] = ClinicalFormat.OneLine(Redact(value), max);
            }
            string Key(ResourceRef r) => "[" + citations.KeyFor(r) + "] ";

            var sb = new StringBuilder(512);
            var p = context.Patient;
            if (p.DeceasedText is { } deceased)
            {
                // A deceased patient is never described as living: "died 2019, aged 62" instead of an age.
                sb.Append("PATIENT: DECEASED — ").Append(deceased);
                if (!minimise) sb.Append("; name ").Append(Text(p.DisplayName, 120)).Append("; MRN ").Append(Text(p.Mrn ?? "unknown", 60)).Append("; born ").Append(p.BirthDate?.ToString("yyyy-MM-dd", Inv) ?? "unknown");
                sb.Append("; sex ").Append(string.IsNullOrWhiteSpace(p.Sex) ? "unknown" : Text(p.Sex, 20)).Append('\n');
            }
            else if (minimise)
            {
                sb.Append("PATIENT: age ").Append(p.AgeYears is { } age ? age.ToString(Inv) + " years" : "unknown")
                  .Append("; sex ").Append(string.IsNullOrWhiteSpace(p.Sex) ? "unknown" : Text(p.Sex, 20)).Append('\n');
            }
            else
            {
                sb.Append("PATIENT: name ").Append(Text(p.DisplayName, 120)).Append("; MRN ").Append(Text(p.Mrn ?? "unknown", 60))
                  .Append("; born ").Append(p.BirthDate?.ToString("yyyy-MM-dd", Inv) ?? "unknown")
                  .Append("; age ").Append(p.AgeYears is { } age ? age.ToString(Inv) + " years" : "unknown")
                  .Append("; sex ").Append(string.IsNullOrWhiteSpace(p.Sex) ? "unknown" : Text(p.Sex, 20)).Append('\n');
            }
            var unavailable = context.Sections.Where(s => s.State == SectionState.Failed).Select(s => Text(s.Section, 40)).ToList();
            if (unavailable.Count > 0)
                sb.Append("NOT AVAILABLE (could not be loaded; the record may be incomplete): ").AppendJoin(", ", unavailable).Append('\n');

            sb.Append('\n').Append(ContextSections.Encounter.Prompt!.Title).Append('\n');
            if (context.Encounter is { } e)
            {
                sb.Append(Key(e.Source)).Append(Text(e.Class, 40)).Append(" encounter, status ").Append(Text(e.Status, 40))
                  .Append(", started ").Append(ClinicalFormat.When(e.Start));
                var reason = e.Reason ?? p.AdmissionReason;
                if (!string.IsNullOrWhiteSpace(reason)) sb.Append("; reason: ").Append(Text(reason));
                sb.Append('\n');
            }
            else
            {
                sb.Append("(none recorded)\n");
                if (!string.IsNullOrWhiteSpace(p.AdmissionReason))
                    sb.Append("Admission reason (no encounter to cite): ").Append(Text(p.AdmissionReason)).Append('\n');
            }
            _header = sb.ToString();

            // Items are only ranked here (tier, date); their text is rendered when the fill reaches them.
            var all = System.Buffers.ArrayPool<Item>.Shared.Rent(context.Conditions.Count + context.Allergies.Count + context.Medications.Count + context.Labs.Count + context.Vitals.Count + context.OtherObservations.Count + context.Notes.Count
                + context.Entries.Values.Sum(e => e.Count));
            var added = 0;
            void Add(int section, int index, int tier, DateTimeOffset? date)
            {
                _counts[section]++;
                all[added++] = new Item(section, index, tier, date?.UtcTicks ?? long.MinValue);
            }
            for (var i = 0; i < context.Conditions.Count; i++)
                Add(Problems, i, OfflineDrafter.IsActiveCondition(context.Conditions[i]) ? 1 : 7, context.Conditions[i].Onset);
            for (var i = 0; i < context.Allergies.Count; i++)
                Add(Allergies, i, OfflineDrafter.IsActiveAllergy(context.Allergies[i]) ? 0 : 7, null);
            for (var i = 0; i < context.Medications.Count; i++)
                Add(Medications, i, OfflineDrafter.IsActiveMedication(context.Medications[i]) ? 2 : 7, context.Medications[i].AuthoredOn);
            for (var i = 0; i < context.Labs.Count; i++)
            {
                var o = context.Labs[i];
                Add(Labs, i, o.IsCritical ? 3 : o.IsAbnormal ? 4 : 7, o.Effective);
            }
            var latestVital = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < context.Vitals.Count; i++)
            {
                var o = context.Vitals[i];
                var type = o.Loinc ?? o.Display;
                if (!latestVital.TryGetValue(type, out var best) || (o.Effective ?? DateTimeOffset.MinValue) >= (context.Vitals[best].Effective ?? DateTimeOffset.MinValue))
                    latestVital[type] = i;
            }
            var latest = latestVital.Values.ToHashSet();
            for (var i = 0; i < context.Vitals.Count; i++)
                Add(Vitals, i, latest.Contains(i) ? 5 : 7, context.Vitals[i].Effective);
            // Other observations (survey, exam, social history…): abnormal ones with abnormal labs, the newest of each kind
            // (latest viral load, smoking status, pregnancy status) with the latest vitals, the rest with older items.
            var latestOther = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < context.OtherObservations.Count; i++)
            {
                var o = context.OtherObservations[i];
                var kind = o.Loinc ?? o.Display;
                if (!latestOther.TryGetValue(kind, out var best) || (o.Effective ?? DateTimeOffset.MinValue) > (context.OtherObservations[best].Effective ?? DateTimeOffset.MinValue))
                    latestOther[kind] = i;
            }
            var newestOther = latestOther.Values.ToHashSet();
            for (var i = 0; i < context.OtherObservations.Count; i++)
            {
                var o = context.OtherObservations[i];
                Add(Others, i, o.IsCritical ? 3 : o.IsAbnormal ? 4 : newestOther.Contains(i) ? 5 : 7, o.Effective);
            }
            var encounterStart = context.Encounter?.Start;
            for (var i = 0; i < context.Notes.Count; i++)
            {
                var n = context.Notes[i];
                Add(Notes, i, encounterStart is { } start && n.Date >= start ? 6 : 7, n.Date);
            }
            for (var s = 0; s < Sections.Count; s++)
            {
                if (Sections[s].Map is null) continue;
                var entries = context.EntriesOf(Sections[s].Key);
                for (var i = 0; i < entries.Count; i++) Add(s, i, GenericTier, entries[i].Date);
            }
            all.AsSpan(0, added).Sort(new PriorityOrder());
            _priority = new ArraySegment<Item>(all, 0, added);
            _texts = [.. _counts.Select(c => new string?[c])];

            _render = item =>
            {
                var section = item.Section;
                if (section == Problems)
                {
                    var c = context.Conditions[item.Index];
                    var line = new StringBuilder(Key(c.Source));
                    line.Append(Text(c.Display)).Append(" — ").Append(Text(c.ClinicalStatus, 30));
                    if (!string.IsNullOrWhiteSpace(c.VerificationStatus)) line.Append(", ").Append(Text(c.VerificationStatus, 30));
                    if (c.Onset is { } onset) line.Append("; onset ").Append(ClinicalFormat.Day(onset));
                    return line.Append('\n').ToString();
                }
                if (section == Allergies)
                {
                    var a = context.Allergies[item.Index];
                    var line = new StringBuilder(Key(a.Source));
                    line.Append(Text(a.Substance)).Append(" — criticality ").Append(string.IsNullOrWhiteSpace(a.Criticality) ? "unknown" : Text(a.Criticality, 30))
                        .Append("; ").Append(Text(a.ClinicalStatus, 30));
                    if (a.Reactions.Count > 0) line.Append("; reactions: ").AppendJoin(", ", a.Reactions.Select(r => Text(r, 80)));
                    return line.Append('\n').ToString();
                }
                if (section == Medications)
                {
                    var m = context.Medications[item.Index];
                    var line = new StringBuilder(Key(m.Source));
                    line.Append(Text(m.Display)).Append(" — ").Append(Text(m.Status, 30));
                    if (!string.IsNullOrWhiteSpace(m.Dosage)) line.Append("; dosage: ").Append(Text(m.Dosage));
                    if (m.AuthoredOn is { } authored) line.Append("; ordered ").Append(ClinicalFormat.Day(authored));
                    return line.Append('\n').ToString();
                }
                if (section == Labs) return Observation(context.Labs[item.Index], Key, Text);
                if (section == Vitals) return Observation(context.Vitals[item.Index], Key, Text);
                if (section == Others) return Observation(context.OtherObservations[item.Index], Key, Text, withCategory: true);
                if (section == Notes)
                {
                    var n = context.Notes[item.Index];
                    var key = citations.KeyFor(n.Source);
                    var text = new StringBuilder();
                    text.Append('[').Append(key).Append("] ").Append(ClinicalFormat.When(n.Date)).Append(' ').Append(Text(n.Title, 80)).Append('\n')
                        .Append("<<<NOTE ").Append(key).Append('\n')
                        .Append(ClinicalFormat.NoteBody(Redact(n.Text), MaxNoteCharacters)).Append('\n')
                        .Append("NOTE ").Append(key).Append(">>>\n");
                    return text.ToString();
                }
                // A section declared with a mapper of its own: one line per entry.
                var entry = context.EntriesOf(Sections[section].Key)[item.Index];
                var entryLine = new StringBuilder(Key(entry.Source));
                entryLine.Append(ClinicalFormat.When(entry.Date)).Append(' ').Append(Text(entry.Display));
                if (!string.IsNullOrWhiteSpace(entry.Detail)) entryLine.Append(" — ").Append(Text(entry.Detail));
                return entryLine.Append('\n').ToString();
            };
        }

        private static string Observation(ContextObservation o, Func<ResourceRef, string> key, Func<string?, int, string> text, bool withCategory = false)
        {
            var sb = new StringBuilder(key(o.Source));
            sb.Append(ClinicalFormat.When(o.Effective)).Append(' ');
            if (withCategory) sb.Append('(').Append(text(o.Category, 40)).Append(") ");
            sb.Append(text(o.Name, 120));
            if (!string.Equals(o.Name, o.Display, StringComparison.Ordinal) && o.Loinc is { Length: > 0 } loinc) sb.Append(" (LOINC ").Append(text(loinc, 20)).Append(')');
            sb.Append(' ').Append(text(o.DisplayValue, 80));
            if (!string.IsNullOrWhiteSpace(o.ReferenceRange)) sb.Append(" (ref ").Append(text(o.ReferenceRange, 60)).Append(')');
            if (!string.IsNullOrWhiteSpace(o.Interpretation)) sb.Append(' ').Append(text(o.Interpretation, 10));
            return sb.Append('\n').ToString();
        }

        /// <summary>The item's line(s) as sent, rendered once.</summary>
        public string TextOf(Item item) => _texts[item.Section][item.Index] ??= _render(item);

        public IEnumerable<Item> ByPriority() => _priority;

        /// <summary>Returns the ranking array to the pool (items are values: nothing refers to it afterwards).</summary>
        public void Dispose()
        {
            if (_priority.Array is { } array) System.Buffers.ArrayPool<Item>.Shared.Return(array);
        }

        public IReadOnlyList<OmittedItems> Omitted(IReadOnlyCollection<Item> included)
        {
            var sent = new int[_counts.Length];
            foreach (var item in included) sent[item.Section]++;
            var list = new List<OmittedItems>();
            for (var s = 0; s < _counts.Length; s++)
            {
                var missing = _counts[s] - sent[s];
                if (missing > 0) list.Add(new OmittedItems(Sections[s].Prompt!.Name, missing, Sections[s].Prompt!.OmittedNoun));
            }
            return list;
        }

        /// <summary>The context text with the chosen items, each section in citation-key order.</summary>
        public string Serialize(IReadOnlyCollection<Item> included)
        {
            var bySection = new List<Item>[_counts.Length];
            for (var s = 0; s < bySection.Length; s++) bySection[s] = [];
            foreach (var item in included) bySection[item.Section].Add(item);
            var sb = new StringBuilder(_header, 16384);
            for (var s = 0; s < _counts.Length; s++)
            {
                sb.Append('\n').Append(Sections[s].Prompt!.Title).Append('\n');
                if (_counts[s] == 0) { sb.Append("(none recorded)\n"); continue; }
                var items = bySection[s];
                items.Sort(static (x, y) => x.Index.CompareTo(y.Index));
                foreach (var item in items) sb.Append(TextOf(item));
                if (items.Count < _counts[s])
                    sb.Append(Inv, $"({_counts[s] - items.Count} {Sections[s].Prompt!.OmittedNoun} not sent: token budget)\n");
            }
            return sb.ToString().TrimEnd('\n');
        }
    }

    internal static string LoadEmbeddedTemplate(Assembly assembly, string resourceSuffix)
    {
        var names = assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith(resourceSuffix, StringComparison.OrdinalIgnoreCase)).ToList();
        if (names.Count != 1)
        {
            throw new InvalidOperationException(
                $"Expected exactly one embedded prompt template ending in '{resourceSuffix}' in {assembly.GetName().Name}, found {names.Count}.");
        }
        using var stream = assembly.GetManifestResourceStream(names[0])!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    /// <summary>Extracts the system and user parts of a template body. Invisible and format characters are removed:
    /// nothing of them reaches the model, not even from a template an administrator pasted (record text is already
    /// free of them: it goes through <see cref="ClinicalFormat"/>).</summary>
    internal static (string System, string User) ParseTemplate(string template)
    {
        var normalised = ClinicalFormat.StripInvisible(template).Replace("\r\n", "\n", StringComparison.Ordinal);
        var system = Part(normalised, "SYSTEM");
        var user = Part(normalised, "USER");
        if (system.Contains(ContextPlaceholder, StringComparison.Ordinal) || !user.Contains(ContextPlaceholder, StringComparison.Ordinal))
            throw new InvalidOperationException($"The prompt template's user part (and only it) must contain {ContextPlaceholder}.");
        return (system, user);
    }

    private static string Part(string template, string name)
    {
        var begin = $"<!-- BEGIN {name} -->";
        var end = $"<!-- END {name} -->";
        var start = template.IndexOf(begin, StringComparison.Ordinal);
        var stop = template.IndexOf(end, StringComparison.Ordinal);
        if (start < 0 || stop < start)
            throw new InvalidOperationException($"The prompt template has no {begin} … {end} part.");
        return template[(start + begin.Length)..stop].Trim('\n', ' ');
    }

    internal static Dictionary<string, string> ReadFrontMatter(string template)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = template.Split('\n');
        if (lines.Length == 0 || lines[0].Trim() != "---") return values;
        foreach (var line in lines.Skip(1))
        {
            if (line.Trim() == "---") return values;
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0) values[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return new Dictionary<string, string>(StringComparer.Ordinal); // unterminated front matter
    }
}

using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Short, deterministic citation keys for every cited context item — one letter per section, from the section table
/// (<see cref="ContextSections.CitationAlphabet"/>: E1 encounter, P problems, A allergies, M medications, L labs,
/// V vitals, N notes, …) — so that a draft can say "[L3]" and the UI can open the exact FHIR resource version behind
/// it. Same context → same keys.
/// </summary>
public sealed class CitationIndex
{
    private static readonly string Prefixes = ContextSections.CitationAlphabet;

    // A 10,000-resource record is indexed for every draft, so the index is kept compact and off the large-object heap
    // (P2): keys are positional ("L12" = the 12th lab), stored as numbers and formatted only when asked for; the
    // (type, id) → number table is split into shards small enough to stay below the 85 KB large-object threshold.
    private const int ShardCount = 16;
    private readonly Dictionary<(string Type, string Id), int>[]? _numbers;
    private readonly List<ResourceRef>[]? _bySection;

    // A stored draft's map (FromMap) is kept as it was saved, whatever its keys look like.
    private readonly Dictionary<string, ResourceRef>? _map;
    private readonly Dictionary<(string Type, string Id), string>? _keys;

    private CitationIndex(PatientContext context)
    {
        int[] sizes = [.. ContextSections.Cited.Select(s => Sources(context, s).Count())];
        _bySection = [.. sizes.Select(n => new List<ResourceRef>(n))];
        var perShard = sizes.Sum() / ShardCount + 1;
        _numbers = [.. Enumerable.Range(0, ShardCount).Select(_ => new Dictionary<(string, string), int>(perShard))];
    }

    private CitationIndex(IReadOnlyDictionary<string, ResourceRef> map)
    {
        _map = new Dictionary<string, ResourceRef>(map, StringComparer.Ordinal);
        _keys = new Dictionary<(string, string), string>(map.Count);
        foreach (var (key, reference) in map) _keys.TryAdd((reference.Type, reference.Id), key);
    }

    /// <summary>Every key and the resource version it stands for, in key order per section.</summary>
    public IEnumerable<KeyValuePair<string, ResourceRef>> Entries
    {
        get
        {
            if (_map is not null)
            {
                foreach (var entry in _map) yield return entry;
                yield break;
            }
            for (var p = 0; p < Prefixes.Length; p++)
            {
                var list = _bySection![p];
                for (var i = 0; i < list.Count; i++) yield return new(Key(p, i + 1), list[i]);
            }
        }
    }

    public static CitationIndex Build(PatientContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var index = new CitationIndex(context);
        for (var section = 0; section < ContextSections.Cited.Count; section++)
        {
            foreach (var source in Sources(context, ContextSections.Cited[section])) index.Add(section, source);
        }
        return index;
    }

    /// <summary>The resources a section's items cite, in the section's order.</summary>
    private static IEnumerable<ResourceRef> Sources(PatientContext context, ContextSection section)
    {
        if (section == ContextSections.Encounter) return context.Encounter is { } e ? [e.Source] : [];
        if (section == ContextSections.Conditions) return context.Conditions.Select(c => c.Source);
        if (section == ContextSections.Allergies) return context.Allergies.Select(a => a.Source);
        if (section == ContextSections.Medications) return context.Medications.Select(m => m.Source);
        if (section == ContextSections.Labs) return context.Labs.Select(l => l.Source);
        if (section == ContextSections.Vitals) return context.Vitals.Select(v => v.Source);
        if (section == ContextSections.OtherObservations) return context.OtherObservations.Select(o => o.Source);
        if (section == ContextSections.Notes) return context.Notes.Select(n => n.Source);
        return context.EntriesOf(section.Key).Select(e => e.Source);
    }

    /// <summary>Rebuilds an index from a stored key → reference map (a saved draft).</summary>
    public static CitationIndex FromMap(IReadOnlyDictionary<string, ResourceRef> map) => new(map);

    /// <summary>The key of a context item, e.g. "L12".</summary>
    public string KeyFor(ResourceRef source)
    {
        if (_keys is not null)
        {
            return _keys.TryGetValue((source.Type, source.Id), out var key) ? key : throw NotIndexed(source);
        }
        return Shard(source.Type, source.Id).TryGetValue((source.Type, source.Id), out var code)
            ? Key(code >> 24, code & 0xFFFFFF)
            : throw NotIndexed(source);
    }

    public bool TryResolve(string key, out ResourceRef reference)
    {
        if (_map is not null) return _map.TryGetValue(key, out reference!);
        reference = null!;
        if (key is not { Length: >= 2 } || key[1] is < '1' or > '9') return false; // no sign, space or leading zero
        var section = Prefixes.IndexOf(key[0], StringComparison.Ordinal);
        if (section < 0 || !int.TryParse(key.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            return false;
        var list = _bySection![section];
        if (number > list.Count) return false;
        reference = list[number - 1];
        return true;
    }

    private static string Key(int section, int number) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Prefixes[section]}{number}");

    private static KeyNotFoundException NotIndexed(ResourceRef source) => new($"{source.Type} is not in the citation index.");

    private Dictionary<(string Type, string Id), int> Shard(string type, string id) =>
        _numbers![(int)((uint)HashCode.Combine(type, id) % ShardCount)];

    private void Add(int section, ResourceRef source)
    {
        ref var code = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Shard(source.Type, source.Id), (source.Type, source.Id), out var exists);
        if (exists) return; // the same resource listed twice keeps its first key
        var list = _bySection![section];
        list.Add(source);
        code = (section << 24) | list.Count;
    }
}

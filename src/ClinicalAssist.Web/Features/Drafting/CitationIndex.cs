using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Short, deterministic citation keys for every context item — E1 encounter, P problems, A allergies,
/// M medications, L labs, V vitals, N notes — so that a draft can say "[L3]" and the UI can open the exact
/// FHIR resource version behind it. Same context → same keys.
/// </summary>
public sealed class CitationIndex
{
    // Keyed by (type, id) rather than by ResourceRef.Reference, which formats a new string on every call: a
    // 10,000-resource record would otherwise allocate 10,000 throw-away strings per index (prompt build, P2).
    private readonly Dictionary<(string Type, string Id), string> _byReference;
    private readonly Dictionary<string, ResourceRef> _byKey;
    private readonly int[] _counts = new int[Prefixes.Length];

    private const string Prefixes = "EPAMLVN";

    private CitationIndex(int capacity)
    {
        _byReference = new Dictionary<(string, string), string>(capacity);
        _byKey = new Dictionary<string, ResourceRef>(capacity, StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, ResourceRef> ByKey => _byKey;

    public static CitationIndex Build(PatientContext context)
    {
        var index = new CitationIndex(1 + context.Conditions.Count + context.Allergies.Count + context.Medications.Count
            + context.Labs.Count + context.Vitals.Count + context.Notes.Count);
        if (context.Encounter is { } e) index.Add('E', e.Source);
        foreach (var c in context.Conditions) index.Add('P', c.Source);
        foreach (var a in context.Allergies) index.Add('A', a.Source);
        foreach (var m in context.Medications) index.Add('M', m.Source);
        foreach (var l in context.Labs) index.Add('L', l.Source);
        foreach (var v in context.Vitals) index.Add('V', v.Source);
        foreach (var n in context.Notes) index.Add('N', n.Source);
        return index;
    }

    /// <summary>Rebuilds an index from a stored key → reference map (a saved draft).</summary>
    public static CitationIndex FromMap(IReadOnlyDictionary<string, ResourceRef> map)
    {
        var index = new CitationIndex(map.Count);
        foreach (var (key, reference) in map)
        {
            index._byKey[key] = reference;
            index._byReference.TryAdd((reference.Type, reference.Id), key);
        }
        return index;
    }

    /// <summary>The key of a context item, e.g. "L12".</summary>
    public string KeyFor(ResourceRef source) =>
        _byReference.TryGetValue((source.Type, source.Id), out var key)
            ? key
            : throw new KeyNotFoundException($"{source.Type} is not in the citation index.");

    public bool TryResolve(string key, out ResourceRef reference) => _byKey.TryGetValue(key, out reference!);

    private void Add(char prefix, ResourceRef source)
    {
        ref var slot = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_byReference, (source.Type, source.Id), out var exists);
        if (exists) return;
        var number = ++_counts[Prefixes.IndexOf(prefix, StringComparison.Ordinal)];
        var key = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{prefix}{number}");
        slot = key;
        _byKey[key] = source;
    }
}

/// <summary>The prompt actually sent (or, for the offline drafter, the one that would be): template id and
/// version, system and user messages; the serialised context (the snapshot stored with the draft), the tokens
/// counted against the budget, the settings used and what the budget left out.</summary>
public sealed record RenderedPrompt(string TemplateId, int TemplateVersion, string System, string User)
{
    public string Context { get; init; } = "";
    public int Tokens { get; init; }
    public PromptSettings Settings { get; init; } = PromptSettings.Default;
    public IReadOnlyList<OmittedItems> Omitted { get; init; } = [];
}

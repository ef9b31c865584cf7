using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Review;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The warnings of a draft for the text as it now stands, in two tiers (docs/adr/0029). <b>Critical</b>: an injection
/// attempt in a note; a critical value, a high-criticality allergy or a high-alert medicine the text does not mention
/// (acknowledged one by one before signing); a key that does not resolve (an edit that adds one too), a cite that is not
/// a key, a number not in its cited sources, an answer that did not parse (the sign gate). <b>Review</b>: an abnormal
/// result (the latest of its test only) or an allergy the text does not mention, a statement without a source — one
/// line each, folded. Everything is re-checked on the text, so an edit that cites a missing item clears its warning and
/// an edit that adds an unknown key raises one; nothing here needs the record.
/// </summary>
public static class DraftWarningTiers
{
    public static IReadOnlyList<DraftWarning> Current(Draft draft, string? text)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var stored = Read(draft.WarningsJson);
        var verification = DraftSignGate.Stored(draft);
        var current = text ?? draft.GeneratedText;
        var edited = !string.Equals(DraftSignGate.Normalise(current), DraftSignGate.Normalise(draft.GeneratedText), StringComparison.Ordinal);
        var result = new List<DraftWarning>();

        result.AddRange(stored.Where(w => w.Kind == "prompt-injection"));
        if (!edited) result.AddRange(stored.Where(w => w.Kind is "unverified" or "invalid-citation"));
        var bare = CitationKey.BlankBrackets(current);
        result.AddRange(stored.Where(w => w.Kind == "number-mismatch" && (!edited || StillThere(w, bare))));

        var check = new CitationVerifier().Verify(current, CitationIndex.FromMap(DraftSignGate.Map(draft.CitationsJson)));
        result.AddRange(check.UnknownKeys.Select(k => new DraftWarning("unknown-citation", $"[{k}] does not point at anything in this patient's record.", k)));

        if (verification is { Watch.Count: > 0 })
        {
            foreach (var item in verification.Watch.Where(item => !DraftSafetyNet.Mentioned(current, item)))
                result.Add(new DraftWarning(KindOf(item), $"Not mentioned in the draft: {item.Description}.", item.CitationKey));
        }
        else
        {
            // Drafts stored before the net kept what it watches: their stored list, as it was.
            result.AddRange(stored.Where(w => w.Kind == "not-mentioned"));
        }
        result.AddRange(check.UncitedStatements.Select(s => new DraftWarning("uncited", $"No source cited: \"{(s.Length <= 120 ? s : s[..119] + "…")}\"")));
        return [.. result.OrderByDescending(w => w.IsCritical).ThenByDescending(w => w.NeedsAcknowledgement)];
    }

    /// <summary>The warning kind of a must-include item the text does not mention.</summary>
    public static string KindOf(MustIncludeItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return !item.Critical ? "not-mentioned"
            : item.Kind switch
            {
                "critical-lab" => "critical-value",
                "allergy" => "allergy-high",
                _ => item.Kind,
            };
    }

    /// <summary>The critical warnings still to acknowledge, given the ids the clinician ticked.</summary>
    public static IReadOnlyList<DraftWarning> Unacknowledged(IEnumerable<DraftWarning> warnings, IReadOnlyCollection<string>? acknowledged) =>
        [.. warnings.Where(w => w.NeedsAcknowledgement && acknowledged?.Contains(w.Id) != true)];

    private static bool StillThere(DraftWarning warning, string bare) =>
        warning.Message.Split('"') is [_, var value, ..] && value.Length > 0 && bare.Contains(value, StringComparison.Ordinal);

    private static List<DraftWarning> Read(string? json)
    {
        if (string.IsNullOrWhiteSpace(json)) return [];
        try
        {
            return JsonSerializer.Deserialize<List<DraftWarning>>(json) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }
}

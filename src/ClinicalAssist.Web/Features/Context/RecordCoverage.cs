using System.Globalization;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Every resource the record source returned, accounted for: per type (and observation category) how many
/// were shown and, for the rest, why not (<see cref="CoverageOutcome"/>); and which sections failed. Received = shown +
/// not shown, per type and category, by construction of <see cref="PatientContextBuilder"/> (and tested against the
/// bundles themselves).</summary>
public sealed record RecordCoverage(IReadOnlyList<CoverageCount> Counts, IReadOnlyList<SectionStatus> FailedSections)
{
    public static readonly RecordCoverage Empty = new([], []);

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Resources received (the patient included).</summary>
    public int Received => Counts.Sum(c => c.Count);

    /// <summary>Resources shown as items of a section.</summary>
    public int Shown => Counts.Where(c => c.Outcome == CoverageOutcome.Shown).Sum(c => c.Count);

    /// <summary>Resources not shown on their own (used for another item, or left out with a reason).</summary>
    public int NotShown => Received - Shown;

    public int Count(string type, string? category, CoverageOutcome outcome) =>
        Counts.Where(c => c.Type == type && c.Category == category && c.Outcome == outcome).Sum(c => c.Count);

    /// <summary>At most this many resources of a group that is not shown are listed on request (the newest).</summary>
    public const int ItemsPerGroup = 100;

    /// <summary>One line per reason and type/category, largest first: "392 observations of category survey — outside
    /// the time window". Resources used by a shown item are not listed (they are shown through it).</summary>
    public IReadOnlyList<string> NotShownLines() => [.. NotShownGroups().Select(Line)];

    /// <summary>The resources of each not-shown line, by line: what they were and when (newest first, at most
    /// <see cref="ItemsPerGroup"/>; unreadable ones have none).</summary>
    public IReadOnlyDictionary<string, CoverageCount> NotShownItems() =>
        NotShownGroups().Where(c => c.Items.Count > 0).ToDictionary(Line, c => c, StringComparer.Ordinal);

    private IEnumerable<CoverageCount> NotShownGroups() =>
        Counts.Where(c => c.Outcome is not (CoverageOutcome.Shown or CoverageOutcome.UsedByShownItem))
            .OrderBy(c => c.Outcome).ThenByDescending(c => c.Count).ThenBy(c => c.Type, StringComparer.Ordinal).ThenBy(c => c.Category, StringComparer.Ordinal);

    private static string Line(CoverageCount c) => $"{Noun(c.Count, c.Type, c.Category)} not shown: {Why(c.Outcome)}";

    /// <summary>"12 observations of category survey", "1 Claim resource".</summary>
    public static string Noun(int count, string type, string? category)
    {
        var plural = ContextSections.Types.Contains(type) ? ContextSections.Plural(type) : type + " resources";
        var noun = count == 1 ? Singular(plural) : plural;
        return count.ToString("N0", Inv) + " " + noun + (category is null ? "" : $" of category {category}");
    }

    /// <summary>Why a resource with this outcome is not shown, in plain words.</summary>
    public static string Why(CoverageOutcome outcome) => outcome switch
    {
        CoverageOutcome.OutsideWindow => "older than the configured time window",
        CoverageOutcome.OverCap => "beyond the section's limit (the newest are shown)",
        CoverageOutcome.Unusable => "nothing to show (no code or value, entered in error, cancelled, or another patient's)",
        CoverageOutcome.TypeNotShown => "a type the chart does not show",
        CoverageOutcome.Repeated => "the same resource more than once (shown once)",
        CoverageOutcome.Unreadable => "could not be read",
        CoverageOutcome.UsedByShownItem => "used to show another item",
        _ => "shown",
    };

    private static string Singular(string plural) =>
        plural.EndsWith(" resources", StringComparison.Ordinal) ? plural[..^1]
        : plural.EndsWith("ies", StringComparison.Ordinal) ? plural[..^3] + "y"
        : plural.EndsWith('s') ? plural[..^1] : plural;
}

using System.Globalization;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>What a draft was made from, kept with the draft: what the record held, what the chart showed, what the
/// drafter was given, what was left out and why (time window, section limit, token budget, sections the prompt does not
/// carry, unusable, unreadable or unshown types), and which sections failed. Stored as words, so that a draft's panel
/// reads the same later whatever the record holds then.</summary>
public sealed record DraftCoverage(int Received, int ShownInChart, int Sent, IReadOnlyList<string> LeftOut, IReadOnlyList<string> Failed)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static DraftCoverage From(PatientContext context, RenderedPrompt? prompt)
    {
        ArgumentNullException.ThrowIfNull(context);
        int CountOf(ContextSection section) => context.Sections.FirstOrDefault(s => s.Section == section.Key)?.Count ?? 0;
        var omitted = prompt?.Omitted ?? [];
        var prompted = ContextSections.Prompted.Sum(CountOf) + (context.Encounter is null ? 0 : 1);
        var sent = prompt is null ? 0 : prompted - omitted.Sum(o => o.Count);

        var leftOut = new List<string>();
        leftOut.AddRange(omitted.Select(o => o.Describe() + ": token budget"));
        leftOut.AddRange(ContextSections.All.Where(s => s.Prompt is null && CountOf(s) > 0)
            .Select(s => $"{CountOf(s).ToString("N0", Inv)} {s.Label.ToLowerInvariant()} not sent: the prompt does not carry this section"));
        leftOut.AddRange(context.Coverage.NotShownLines());
        var failed = context.Sections.Where(s => s.State == SectionState.Failed)
            .Select(s => $"{ContextSections.Label(s.Section)}: {s.Message}").ToList();
        return new DraftCoverage(context.Coverage.Received, context.Coverage.Shown, sent, leftOut, failed);
    }

    /// <summary>"The record held 345 resources; the chart showed 300; the drafter was given 120 items."</summary>
    public string Summary() => string.Create(Inv,
        $"The record held {Received:N0} resources; the chart showed {ShownInChart:N0}; the drafter was given {Sent:N0} items.");
}

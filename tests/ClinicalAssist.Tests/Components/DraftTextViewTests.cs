using Bunit;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Components.Shared;
using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Tests.Components;

public sealed class DraftTextViewTests : MudTestContext
{
    private static readonly Dictionary<string, string> Citations = new()
    {
        ["L1"] = "Observation/k1/_history/1",
        ["P1"] = "Condition/c1/_history/1",
    };

    [Fact]
    public void Renders_headings_bullets_and_a_chip_per_citation()
    {
        var cut = Render<DraftTextView>(p => p
            .Add(x => x.Text, "## Summary\n- Hyperkalaemia [P1], potassium 6.8 mmol/L [L1].\nPlain line.")
            .Add(x => x.Citations, Citations));

        Assert.Single(cut.FindAll(".draft-heading"));
        Assert.Single(cut.FindAll(".draft-bullet"));
        var chips = cut.FindAll("[data-testid=citation-chip]");
        Assert.Equal(["P1", "L1"], chips.Select(c => c.TextContent.Trim()));
    }

    [Fact]
    public async Task Clicking_a_chip_reports_its_key()
    {
        string? opened = null;
        var cut = Render<DraftTextView>(p => p
            .Add(x => x.Text, "Potassium high [L1].")
            .Add(x => x.Citations, Citations)
            .Add(x => x.OnCitation, (string key) => opened = key));

        await cut.InvokeAsync(() => cut.Find("[data-testid=citation-chip]").Click());
        Assert.Equal("L1", opened);
    }

    [Fact]
    public void A_citation_that_does_not_resolve_is_marked()
    {
        var cut = Render<DraftTextView>(p => p
            .Add(x => x.Text, "Invented finding [L99].")
            .Add(x => x.Citations, Citations));

        var chip = cut.Find("[data-testid=citation-chip]");
        Assert.Contains("does not resolve", chip.GetAttribute("aria-label"));
    }

    [Fact]
    public void Markup_in_the_text_is_shown_as_text_never_rendered()
    {
        var cut = Render<DraftTextView>(p => p
            .Add(x => x.Text, "<script>alert(1)</script><img src=x onerror=alert(2)> [L1]")
            .Add(x => x.Citations, Citations));

        Assert.Empty(cut.FindAll("script"));
        Assert.Empty(cut.FindAll("img"));
        Assert.Contains("<script>alert(1)</script>", cut.Find(".draft-paragraph").TextContent);
    }

    [Fact]
    public void Parser_finds_only_well_formed_keys()
    {
        // X1 is a key of the grammar whose prefix no section uses: a key that does not resolve (a red chip), not text.
        Assert.Equal(["L3", "P1", "N2", "X1"], DraftText.CitedKeys("a [L3] b [P1][N2] c [X1] [L] [l3] [L3] [FINDING] [2]"));
        Assert.Equal(["L1", "L2", "M4"], DraftText.CitedKeys("trend [L1, L2] on [M4; L1]"));
    }
}

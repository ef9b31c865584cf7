using Bunit;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Components.Shared;
using ClinicalAssist.Web.Features.Review;

namespace ClinicalAssist.Tests.Components;

public sealed class DiffViewTests : MudTestContext
{
    [Fact]
    public void Shows_removed_and_added_words()
    {
        var cut = Render<DiffView>(p => p
            .Add(x => x.Original, "Potassium 6.8 mmol/L, rising [L1].")
            .Add(x => x.Edited, "Potassium 6.8 mmol/L, falling after insulin [L1]."));

        Assert.Contains("rising", cut.Find(".diff-text del").TextContent);
        Assert.Contains("falling", string.Concat(cut.FindAll(".diff-text ins").Select(i => i.TextContent)));
        Assert.Contains("insulin", string.Concat(cut.FindAll(".diff-text ins").Select(i => i.TextContent)));
    }

    [Fact]
    public void Unchanged_text_says_so()
    {
        var cut = Render<DiffView>(p => p.Add(x => x.Original, "Same [L1].").Add(x => x.Edited, "Same [L1]."));
        Assert.Contains("Signed without changes", cut.Markup);
        Assert.Empty(cut.FindAll("ins"));
    }

    [Fact]
    public void Word_diff_reconstructs_both_texts()
    {
        const string a = "Line one [P1].\nLine two, old words [L2].";
        const string b = "Line one [P1].\nLine two, new words here [L2].\nAdded line.";
        var segments = WordDiff.Compute(a, b);
        Assert.Equal(a, string.Concat(segments.Where(s => s.Kind != DiffKind.Inserted).Select(s => s.Text)));
        Assert.Equal(b, string.Concat(segments.Where(s => s.Kind != DiffKind.Deleted).Select(s => s.Text)));
    }
}

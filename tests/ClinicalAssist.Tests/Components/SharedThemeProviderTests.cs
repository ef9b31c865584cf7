using Bunit;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Components.Layout;
using MudBlazor;

namespace ClinicalAssist.Tests.Components;

public sealed class SharedThemeProviderTests : MudTestContext
{
    private static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight { Primary = "#0b5c8a" },
        PaletteDark = new PaletteDark { Primary = "#7cc4f2" },
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Renders_the_same_markup_as_the_stock_provider(bool dark)
    {
        var stock = Render<MudThemeProvider>(p => p.Add(x => x.Theme, Theme).Add(x => x.IsDarkMode, dark));
        var shared = Render<SharedThemeProvider>(p => p.Add(x => x.Theme, Theme).Add(x => x.IsDarkMode, dark));

        Assert.Contains(dark ? "--mud-palette-primary: rgba(124,196,242,1)" : "--mud-palette-primary: rgba(11,92,138,1)", shared.Markup, StringComparison.OrdinalIgnoreCase);
        Assert.True(shared.Markup.Length > 10_000, "the theme's CSS variables are rendered");
        Assert.Equal(stock.Markup, shared.Markup);
    }

    [Fact]
    public void Follows_dark_mode_changes()
    {
        var cut = Render<SharedThemeProvider>(p => p.Add(x => x.Theme, Theme).Add(x => x.IsDarkMode, false));
        Assert.Contains("--mud-palette-primary: rgba(11,92,138,1)", cut.Markup, StringComparison.OrdinalIgnoreCase);

        cut.Render(p => p.Add(x => x.IsDarkMode, true));

        Assert.Contains("--mud-palette-primary: rgba(124,196,242,1)", cut.Markup, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("--mud-palette-primary: rgba(11,92,138,1)", cut.Markup, StringComparison.OrdinalIgnoreCase);
    }
}

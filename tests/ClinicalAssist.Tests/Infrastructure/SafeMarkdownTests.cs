using Bunit;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Components.Shared;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Infrastructure;

public sealed class SafeMarkdownTests
{
    private readonly SafeMarkdownRenderer _renderer = new();

    public static TheoryData<string> Payloads =>
    [
        "<script>window.__xss=1</script>",
        "<img src=x onerror=\"window.__xss=1\">",
        "<svg onload=\"window.__xss=1\"></svg>",
        "<iframe src=\"javascript:window.__xss=1\"></iframe>",
        "[click](javascript:window.__xss=1)",
        "[click](JaVaScRiPt:window.__xss=1)",
        "[click](&#106;avascript:window.__xss=1)",
        "![x](javascript:window.__xss=1)",
        "<a href=\"javascript:window.__xss=1\">x</a>",
        "<div style=\"background:url(javascript:window.__xss=1)\">x</div>",
        "[x](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
        "<form action=\"https://evil.example\"><button>x</button></form>",
        "<object data=\"x.swf\"></object><embed src=\"x\">",
        "**bold** <b onmouseover=\"window.__xss=1\">hover</b>",
    ];

    [Theory]
    [MemberData(nameof(Payloads))]
    public void Script_handlers_and_dangerous_urls_never_survive(string markdown)
    {
        var html = _renderer.ToSafeHtml("Note: " + markdown);
        var document = new AngleSharp.Html.Parser.HtmlParser().ParseDocument("<body>" + html + "</body>");
        var forbidden = new[] { "script", "iframe", "object", "embed", "form", "svg", "img", "style", "button", "input" };
        foreach (var element in document.Body!.QuerySelectorAll("*"))
        {
            Assert.DoesNotContain(element.LocalName, forbidden);
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase), $"event handler {attribute.Name} in {html}");
                Assert.NotEqual("style", attribute.Name);
                if (attribute.Name is "href" or "src")
                {
                    var scheme = attribute.Value.Split(':')[0].Trim().ToLowerInvariant();
                    Assert.True(!attribute.Value.Contains(':') || scheme is "http" or "https" or "mailto", $"{attribute.Name}={attribute.Value}");
                }
            }
        }
        Assert.Contains("Note:", document.Body.TextContent);
    }

    [Fact]
    public void Ordinary_markdown_keeps_its_formatting_and_links()
    {
        var html = _renderer.ToSafeHtml("## Plan\n\n- **K+ 6.8** mmol/L [L1]\n- see <https://example.org/guideline>\n\n| a | b |\n|---|---|\n| 1 | 2 |");
        Assert.Contains("<h2", html);
        Assert.Contains("<strong>K+ 6.8</strong>", html);
        Assert.Contains("<li>", html);
        Assert.Contains("<table>", html);
        Assert.Contains("href=\"https://example.org/guideline\"", html);
        Assert.Contains("rel=\"noopener noreferrer\"", html);
        Assert.Equal("", _renderer.ToSafeHtml(null));
    }

    [Fact]
    public void Html_in_markdown_stays_visible_as_text()
    {
        var html = _renderer.ToSafeHtml("<img src=x onerror=alert(1)>");
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
    }

    [Fact]
    public async Task The_component_renders_sanitised_markup()
    {
        await using var ctx = new BunitContext();
        ctx.Services.AddSingleton<SafeMarkdownRenderer>();
        var cut = ctx.Render<SafeMarkdown>(p => p.Add(x => x.Markdown, "**ok** <script>window.__xss=1</script> [x](javascript:alert(1))"));
        var div = cut.Find("[data-testid=safe-markdown]");
        Assert.Equal("ok", div.QuerySelector("strong")!.TextContent);
        Assert.Empty(div.QuerySelectorAll("script"));
        Assert.All(div.QuerySelectorAll("a"), a => Assert.DoesNotContain("javascript", a.GetAttribute("href") ?? "", StringComparison.OrdinalIgnoreCase));
        Assert.Contains("<script>", div.TextContent); // shown as text
    }
}

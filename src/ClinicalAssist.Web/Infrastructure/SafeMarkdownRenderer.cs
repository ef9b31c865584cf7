using Ganss.Xss;
using Markdig;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// Markdown → HTML for anything the product renders as rich text (model cards, template text, model answers shown
/// formatted). Two independent layers: Markdig with raw HTML disabled (HTML in the input stays text), then
/// HtmlSanitizer with an allow-list (no script, no event handlers, no javascript:/data: links, no style, no forms or
/// frames). Links open outside the app with rel="noopener noreferrer". Never render such text as a MarkupString
/// any other way.
/// </summary>
public sealed class SafeMarkdownRenderer
{
    private readonly MarkdownPipeline _pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseAutoLinks()
        .Build();

    private readonly HtmlSanitizer _sanitizer;

    public SafeMarkdownRenderer()
    {
        var options = new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "p", "br", "hr", "strong", "em", "b", "i", "del", "ins", "sub", "sup", "code", "pre", "blockquote",
                "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "a", "span",
            },
            AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "title", "align", "start" },
            AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https", "mailto" },
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href" },
            AllowedCssProperties = new HashSet<string>(StringComparer.OrdinalIgnoreCase),
        };
        _sanitizer = new HtmlSanitizer(options) { KeepChildNodes = true };
        _sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is AngleSharp.Dom.IElement { LocalName: "a" } link)
            {
                link.SetAttribute("rel", "noopener noreferrer");
                link.SetAttribute("target", "_blank");
            }
        };
    }

    /// <summary>Sanitised HTML for <paramref name="markdown"/> (empty for null or blank).</summary>
    public string ToSafeHtml(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown)) return "";
        var html = Markdown.ToHtml(markdown, _pipeline);
        return _sanitizer.Sanitize(html);
    }
}

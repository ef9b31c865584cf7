using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using MudBlazor;

namespace ClinicalAssist.Web.Components.Layout;

/// <summary>
/// <see cref="MudThemeProvider"/> whose rendered markup (the theme's CSS variables and the scrollbar style, about
/// 40,000 characters) is built once per theme, dark mode and scrollbar setting and shared by every circuit.
/// The stock provider builds a new string on every render, and each circuit keeps the last two renders' strings in its
/// render trees: ~160 KB per idle circuit (P5, measured with dotnet-gcdump). Same markup, same behaviour otherwise
/// (system dark-mode watching, palette, JS) — only the string is reused. The theme must not be mutated after first
/// render (MainLayout's is a static readonly instance); it is the cache key by reference. Dark mode comes from the
/// IsDarkMode parameter (MainLayout's toggle; the system dark-mode watch is not bound there).
/// </summary>
public sealed class SharedThemeProvider : MudThemeProvider
{
    private static readonly ConditionalWeakTable<MudTheme, ConcurrentDictionary<(bool Dark, bool DefaultScrollbar), string>> Markup = [];

    private bool _dark;

    public override Task SetParametersAsync(ParameterView parameters)
    {
        // IsDarkMode is read through MudBlazor's parameter state (MUD0010), so the key keeps its own copy.
        if (parameters.TryGetValue<bool>(nameof(IsDarkMode), out var dark)) _dark = dark;
        return base.SetParametersAsync(parameters);
    }

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        var markup = Markup.GetOrCreateValue(GetTheme()).GetOrAdd((_dark, DefaultScrollbar), _ => Render());
        builder.AddMarkupContent(0, markup);
    }

    /// <summary>The stock provider's render output, as one markup string (it renders markup and text only; anything
    /// else fails loudly rather than being dropped).</summary>
#pragma warning disable BL0006 // reads the frames of its own temporary builder, nothing of the renderer's
    private string Render()
    {
        var tree = new RenderTreeBuilder();
        base.BuildRenderTree(tree);
        var text = new System.Text.StringBuilder();
        var frames = tree.GetFrames();
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames.Array[i];
            text.Append(frame.FrameType switch
            {
                Microsoft.AspNetCore.Components.RenderTree.RenderTreeFrameType.Markup => frame.MarkupContent,
                Microsoft.AspNetCore.Components.RenderTree.RenderTreeFrameType.Text => System.Net.WebUtility.HtmlEncode(frame.TextContent),
                _ => throw new InvalidOperationException($"MudThemeProvider rendered a {frame.FrameType} frame: {nameof(SharedThemeProvider)} only replays markup and text."),
            });
        }
        return text.ToString();
    }
#pragma warning restore BL0006
}

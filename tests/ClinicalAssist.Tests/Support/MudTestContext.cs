using Bunit;
using MudBlazor.Services;

namespace ClinicalAssist.Tests.Support;

/// <summary>bUnit context with MudBlazor services and loose JS interop (MudBlazor's own recommendation). Its waits
/// (<c>WaitForAssertion</c>, <c>WaitForState</c>) give up after the one <see cref="Patience"/> setting, not bUnit's 1 s.
/// Act on elements with <c>await cut.InvokeAsync(() => cut.Find(...).Click())</c>: find and click on the renderer's
/// dispatcher, so no re-render from background work can fall between them.</summary>
public abstract class MudTestContext : BunitContext
{
    protected MudTestContext()
    {
        DefaultWaitTimeout = Patience.Medium;
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }
}

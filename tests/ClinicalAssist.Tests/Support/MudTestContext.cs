using Bunit;
using MudBlazor.Services;

namespace ClinicalAssist.Tests.Support;

/// <summary>bUnit context with MudBlazor services and loose JS interop (MudBlazor's own recommendation).</summary>
public abstract class MudTestContext : BunitContext
{
    protected MudTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }
}

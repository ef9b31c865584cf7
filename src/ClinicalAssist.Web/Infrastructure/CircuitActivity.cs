using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>When the user last did something in this circuit (one per circuit: a scoped service).</summary>
public sealed class CircuitActivity(TimeProvider time)
{
    public DateTimeOffset LastActivity { get; private set; } = time.GetUtcNow();

    public void Touch() => LastActivity = time.GetUtcNow();

    /// <summary>Use seen outside the circuit (the page's keep-alive, e.g. scrolling) at <paramref name="at"/>.</summary>
    public void SeenAt(DateTimeOffset at)
    {
        if (at > LastActivity) LastActivity = at;
    }
}

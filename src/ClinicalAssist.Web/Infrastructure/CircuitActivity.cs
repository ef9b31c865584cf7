using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>When the user last did something in this circuit (one per circuit: a scoped service).</summary>
public sealed class CircuitActivity(TimeProvider time)
{
    public DateTimeOffset LastActivity { get; private set; } = time.GetUtcNow();

    public void Touch() => LastActivity = time.GetUtcNow();
}

using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Section "Session": automatic sign-out after inactivity (HIPAA 164.312(a)(2)(iii)).</summary>
public sealed class IdleSessionOptions : IValidatableObject
{
    public const string Section = "Session";

    /// <summary>Signed out after this long without any interaction (default 15 minutes).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often a live circuit re-checks the account and its idle time (default 1 minute).</summary>
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often a page in use tells the server so (derived: a quarter of the idle timeout, 1 s to 1 min),
    /// so any idle timeout leaves several keep-alives before it runs out.</summary>
    public TimeSpan KeepAliveInterval =>
        TimeSpan.FromTicks(Math.Clamp(IdleTimeout.Ticks / 4, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));

    /// <summary>How long before the idle sign-out the page warns, with a "Stay signed in" button (derived: a quarter of
    /// the idle timeout, 1 s to 2 min).</summary>
    public TimeSpan IdleWarningLead =>
        TimeSpan.FromTicks(Math.Clamp(IdleTimeout.Ticks / 4, TimeSpan.TicksPerSecond, 2 * TimeSpan.TicksPerMinute));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (IdleTimeout < TimeSpan.FromSeconds(5) || IdleTimeout > TimeSpan.FromHours(12))
            yield return new ValidationResult("Session:IdleTimeout must be between 5 seconds and 12 hours.", [nameof(IdleTimeout)]);
        if (RevalidationInterval < TimeSpan.FromSeconds(1) || RevalidationInterval > IdleTimeout)
            yield return new ValidationResult("Session:RevalidationInterval must be at least 1 second and no longer than the idle timeout.", [nameof(RevalidationInterval)]);
    }
}

using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Section "SignInThrottle": failed sign-ins pause sign-in for an account from the address they came from,
/// so a stranger cannot lock a colleague out from elsewhere; a cap per account across all addresses stops a spread-out
/// guessing attack (NIST SP 800-63B: at most 100 consecutive failures per account).</summary>
public sealed class SignInThrottleOptions
{
    public const string Section = "SignInThrottle";

    /// <summary>Failures for one account from one address (an IPv6 /64 counts as one address) before sign-in pauses there.</summary>
    [Range(1, 100)]
    public int FailuresPerAccountAndAddress { get; set; } = 5;

    /// <summary>Failures for one account from all addresses together before sign-in pauses everywhere.</summary>
    [Range(1, 100)]
    public int FailuresPerAccount { get; set; } = 100;

    /// <summary>Failures older than this are forgotten.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long sign-in stays paused.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan PauseFor { get; set; } = TimeSpan.FromMinutes(15);
}

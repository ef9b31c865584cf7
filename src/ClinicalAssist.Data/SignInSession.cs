namespace ClinicalAssist.Data;

/// <summary>
/// One sign-in of one user. The sign-in cookie carries the session's id; every request and every live circuit checks
/// that the session has not ended, so ending it (sign-out, or access revoked) also kills any copy of the cookie.
/// </summary>
public sealed class SignInSession
{
    /// <summary>Random, 32 hex characters (128 bits).</summary>
    public string Id { get; set; } = "";
    public string UserId { get; set; } = "";
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    /// <summary>The last interaction the page reported (its keep-alive: scrolling, pointer, keys, touch), so reading a
    /// long draft without sending anything into the circuit still counts as use.</summary>
    public DateTimeOffset? LastActivityAt { get; set; }
    /// <summary>Why it ended, in plain words ("signed out", "idle", "access revoked").</summary>
    public string? EndReason { get; set; }
}

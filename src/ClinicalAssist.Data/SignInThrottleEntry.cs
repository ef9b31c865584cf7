namespace ClinicalAssist.Data;

/// <summary>Failed sign-ins counted under one key: an account from one address, or an account from anywhere. The key
/// is a SHA-256 of the normalised email (and address), so the table holds no email or IP address in clear.</summary>
public sealed class SignInThrottleEntry
{
    public string Key { get; set; } = "";
    public int Failures { get; set; }
    public DateTimeOffset WindowStartedAt { get; set; }
    /// <summary>Sign-in under this key is paused until then.</summary>
    public DateTimeOffset? BlockedUntil { get; set; }
    public Guid Version { get; set; }
}

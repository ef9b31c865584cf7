namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// The one match timeout of every regular expression that reads record text or model output. It guards against
/// catastrophic backtracking on hostile input (a pattern running for minutes), not against slowness: the figure is
/// wall-clock time, and on a busy server a thread that is simply not scheduled for a while must not fail a draft.
/// 1 s timed out on a test machine at load 25–30 on 2 cores (a fault-matrix set-up, 2026-12-07).
/// </summary>
public static class RegexLimits
{
    /// <summary>For <c>[GeneratedRegex]</c> attributes, which need a constant.</summary>
    public const int MatchTimeoutMilliseconds = 10_000;

    public static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(MatchTimeoutMilliseconds);
}

namespace ClinicalAssist.TestSupport;

/// <summary>
/// The one setting every wait in the tests derives from. A wait is for a signal (a text, a status, a URL), never a
/// sleep; its limit only says when to give up. The limit is a base value times <see cref="Scale"/>:
/// <c>CLINICALASSIST_TEST_PATIENCE</c> when set (e.g. 4 on a slow runner), else 3 under CI (<c>CI=true</c>), else 2 —
/// and on a machine whose load average exceeds its cores, the load over the cores on top (at most 8×).
/// A test that needs more than its limit on a loaded machine is waiting for the wrong signal.
/// </summary>
public static class Patience
{
    public static double Scale { get; } = ComputeScale();

    /// <summary>A web-first expectation or an element the page shows after a server round trip.</summary>
    public static TimeSpan Short => Of(TimeSpan.FromSeconds(5));

    /// <summary>A page load with its circuit, or a background step (a persisted increment, a batch item).</summary>
    public static TimeSpan Medium => Of(TimeSpan.FromSeconds(15));

    /// <summary>A whole draft, a batch or an app start.</summary>
    public static TimeSpan Long => Of(TimeSpan.FromSeconds(45));

    public static TimeSpan Of(TimeSpan baseLimit) => TimeSpan.FromMilliseconds(baseLimit.TotalMilliseconds * Scale);

    /// <summary>In milliseconds, for APIs that take a float (Playwright).</summary>
    public static float Ms(TimeSpan limit) => (float)limit.TotalMilliseconds;

    private static double ComputeScale()
    {
        if (double.TryParse(Environment.GetEnvironmentVariable("CLINICALASSIST_TEST_PATIENCE"), System.Globalization.CultureInfo.InvariantCulture, out var set) && set > 0)
        {
            return set;
        }

        var scale = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase) ? 3.0 : 2.0;
        try
        {
            var load = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            var perCore = load / Environment.ProcessorCount;
            if (perCore > 1) scale *= Math.Min(perCore, 4);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            // not Linux: the base scale
        }

        return Math.Min(scale, 8);
    }
}

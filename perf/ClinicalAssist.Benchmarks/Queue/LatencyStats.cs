using System.Diagnostics;

namespace ClinicalAssist.Benchmarks.Queue;

/// <summary>Wall-clock latency of repeated calls, in milliseconds (nearest-rank percentiles).</summary>
public sealed record LatencyStats(double P50, double P95, double Max, int Samples)
{
    public static LatencyStats From(IReadOnlyCollection<double> milliseconds)
    {
        if (milliseconds.Count == 0) throw new ArgumentException("No samples.", nameof(milliseconds));
        var sorted = milliseconds.Order().ToArray();
        return new LatencyStats(Percentile(sorted, 0.50), Percentile(sorted, 0.95), sorted[^1], sorted.Length);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>Runs <paramref name="call"/> <paramref name="warmup"/> times untimed, then <paramref name="iterations"/>
    /// times timed one by one. Every call must return the same result size (the same query, the same answer).</summary>
    public static async Task<(LatencyStats Stats, int ResultSize)> MeasureAsync(Func<CancellationToken, Task<int>> call,
        int warmup, int iterations, CancellationToken ct)
    {
        var expected = await call(ct);
        for (var i = 1; i < warmup; i++) await call(ct);

        var samples = new double[iterations];
        for (var i = 0; i < iterations; i++)
        {
            var start = Stopwatch.GetTimestamp();
            var size = await call(ct);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (size != expected) throw new InvalidOperationException($"A call returned {size} results, the first one {expected}.");
        }
        return (From(samples), expected);
    }
}

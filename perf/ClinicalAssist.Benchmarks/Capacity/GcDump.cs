using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ClinicalAssist.Benchmarks.Capacity;

/// <summary>
/// Managed heap of the app after a full blocking GC, by type: <c>dotnet-gcdump collect</c> (it induces a full
/// compacting GC and walks the live heap) and <c>dotnet-gcdump report</c>. Unlike the working set, this holds no garbage
/// and no memory the GC keeps committed, so (heap at N circuits − heap at 0) / N is what one circuit retains.
/// The tool is a separate install (<c>dotnet tool install -g dotnet-gcdump</c>); without it the figure is left out.
/// </summary>
public static partial class GcDump
{
    /// <summary>Total live bytes and objects (exact), and per type the report's instance size and count. The report
    /// prints one object's size per type (<c>type.Size</c>), not the type's total: for fixed-size types size × count is
    /// exact, for arrays and strings (bucketed by the report as "(Bytes &gt; 1K)" etc.) it is an estimate.</summary>
    public sealed record Heap(long Bytes, long Objects, IReadOnlyDictionary<string, (long InstanceBytes, long Count)> ByType, string File);

    public static string? ToolPath()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Append(Path.Combine(home, ".dotnet", "tools"))
            .Select(d => Path.Combine(d, "dotnet-gcdump"));
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>Collects a gcdump of <paramref name="pid"/> into <paramref name="file"/> and parses its report.</summary>
    public static async Task<Heap> CollectAsync(string tool, int pid, string file, CancellationToken ct)
    {
        await RunAsync(tool, ct, "collect", "-p", pid.ToString(CultureInfo.InvariantCulture), "-o", file);
        var report = await RunAsync(tool, ct, "report", file);
        return Parse(report, file);
    }

    /// <summary>Parses <c>dotnet-gcdump report</c>: "N GC Heap bytes", "N GC Heap objects", then rows "bytes count type".</summary>
    public static Heap Parse(string report, string file)
    {
        long bytes = 0, objects = 0;
        var byType = new Dictionary<string, (long, long)>();
        foreach (var line in report.Split('\n'))
        {
            if (Total().Match(line) is { Success: true } t)
            {
                var n = long.Parse(t.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
                if (t.Groups[2].Value == "bytes") bytes = n; else objects = n;
            }
            else if (Row().Match(line) is { Success: true } r)
            {
                var type = r.Groups[3].Value.Trim();
                var b = long.Parse(r.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
                var c = long.Parse(r.Groups[2].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
                byType[type] = byType.TryGetValue(type, out var old) ? (Math.Max(old.Item1, b), old.Item2 + c) : (b, c);
            }
        }
        if (bytes == 0) throw new InvalidOperationException("dotnet-gcdump report has no 'GC Heap bytes' line:\n" + report);
        return new Heap(bytes, objects, byType, file);
    }

    /// <summary>Types whose estimated bytes (instance size × count) grew most from <paramref name="from"/> to
    /// <paramref name="to"/>, with the exact growth in object count.</summary>
    public static IEnumerable<(string Type, long Bytes, long Count)> Growth(Heap from, Heap to, int top) =>
        to.ByType.Select(e =>
        {
            var before = from.ByType.TryGetValue(e.Key, out var b) ? b : (e.Value.InstanceBytes, 0L);
            return (e.Key, e.Value.InstanceBytes * e.Value.Count - before.Item1 * before.Item2, e.Value.Count - before.Item2);
        }).OrderByDescending(e => e.Item2).Take(top);

    private static async Task<string> RunAsync(string tool, CancellationToken ct, params string[] args)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet-gcdump did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet-gcdump {args[0]} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }

    [GeneratedRegex(@"^\s*([\d,]+)\s+GC Heap (bytes|objects)")]
    private static partial Regex Total();

    [GeneratedRegex(@"^\s*([\d,]+)\s+([\d,]+)\s+(\S.*)$")]
    private static partial Regex Row();
}

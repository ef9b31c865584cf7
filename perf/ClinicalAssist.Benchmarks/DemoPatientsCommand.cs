using System.Globalization;
using ClinicalAssist.Web.Features.DemoData;

namespace ClinicalAssist.Benchmarks;

/// <summary>Writes N generated demo inpatients as FHIR R4 Bundle JSON files (one per patient), e.g. as input for the
/// Directory record source or a benchmark. Same seed and day → the same files.</summary>
internal static class DemoPatientsCommand
{
    public const string Usage =
        "demo-patients --count N --out <folder> [--seed N]   writes N demo patients as FHIR Bundle JSON files (anchor: today 07:00 UTC)";

    public static int Run(ReadOnlySpan<string> args, TextWriter output, TextWriter error)
    {
        int? count = null;
        string? folder = null;
        var seed = DemoPatientGenerator.DefaultSeed;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--count" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var c): count = c; i++; break;
                case "--out" when !string.IsNullOrWhiteSpace(value): folder = value; i++; break;
                case "--seed" when int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s): seed = s; i++; break;
                default:
                    error.WriteLine($"Unknown or incomplete option '{args[i]}'.");
                    error.WriteLine(Usage);
                    return 2;
            }
        }
        if (count is not (>= 1 and <= DemoGeneratorOptions.MaxCount) || folder is null)
        {
            error.WriteLine($"--count (1–{DemoGeneratorOptions.MaxCount}) and --out are required.");
            error.WriteLine(Usage);
            return 2;
        }

        var anchor = new DateTimeOffset(DateTime.UtcNow.Date.AddHours(7), TimeSpan.Zero);
        Directory.CreateDirectory(folder);
        var paths = DemoPatientGenerator.WriteToFolder(folder, new DemoGeneratorOptions { Count = count.Value, Seed = seed, Anchor = anchor });
        output.WriteLine($"Wrote {paths.Count} demo patient bundle(s) to {Path.GetFullPath(folder)} (seed {seed}, anchor {anchor:yyyy-MM-dd HH:mm} UTC).");
        return 0;
    }
}

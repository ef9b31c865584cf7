using System.Globalization;

namespace ClinicalAssist.Benchmarks.Queue;

/// <summary>Command-line options of the <c>queue</c> benchmark.</summary>
public sealed record QueueBenchmarkOptions
{
    public const string Usage =
        "Usage: dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- queue [--drafts N] [--iterations N] [--warmup N] [--db path]\n" +
        "  --drafts      drafts to seed (default 1000000)\n" +
        "  --iterations  timed calls per query (default 200)\n" +
        "  --warmup      untimed calls per query before timing (default 20)\n" +
        "  --db          SQLite file to create (must not exist; kept afterwards). Default: a temp folder, deleted at the end.";

    public int Drafts { get; init; } = 1_000_000;
    public int Iterations { get; init; } = 200;
    public int Warmup { get; init; } = 20;
    public string? DatabasePath { get; init; }

    public static QueueBenchmarkOptions Parse(ReadOnlySpan<string> args)
    {
        var options = new QueueBenchmarkOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Length) throw new ArgumentException($"Missing value after {name}.");
            var value = args[++i];
            options = name switch
            {
                "--drafts" => options with { Drafts = PositiveInt(name, value, minimum: 1_000) },
                "--iterations" => options with { Iterations = PositiveInt(name, value, minimum: 1) },
                "--warmup" => options with { Warmup = PositiveInt(name, value, minimum: 0) },
                "--db" => File.Exists(value)
                    ? throw new ArgumentException($"--db {value} already exists; the benchmark only creates a fresh file.")
                    : options with { DatabasePath = Path.GetFullPath(value) },
                _ => throw new ArgumentException($"Unknown option {name}."),
            };
        }
        return options;
    }

    private static int PositiveInt(string name, string value, int minimum) =>
        int.TryParse(value.Replace("_", ""), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= minimum
            ? n
            : throw new ArgumentException($"{name} must be a whole number ≥ {minimum}, not '{value}'.");
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ClinicalAssist.Benchmarks.Capacity;

namespace ClinicalAssist.Benchmarks;

/// <summary>
/// One figure of the one-command run: its goal, the benchmark command that measures it and how to read its report.
/// <paramref name="Args"/> are this program's own arguments (run as a child process, one clean process per figure);
/// <paramref name="Shell"/> instead runs another command (P3: the Chromium test). <paramref name="Read"/> turns the
/// report into the measured value and whether the goal is met; by default the report's last "Summary: measured | met"
/// line is used — print one and the figure needs no reader.
/// </summary>
public sealed record Figure(string Id, string Title, string Goal, string[] Args, string[]? Shell = null,
    Func<string, (string Measured, string Met)>? Read = null, string? Note = null)
{
    public string Command => Shell is not null
        ? string.Join(' ', Shell)
        : "dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- " + string.Join(' ', Args);
}

/// <summary>
/// <c>all</c>: runs every figure (P1–P5, quality, memory, micro) one after the other, keeps each full report in
/// artifacts/perf/&lt;id&gt;.md, and rewrites the generated section of docs/performance.md: a table per figure with goal,
/// measured value, command, date, machine and load average.
/// </summary>
public static partial class AllCommand
{
    public const string Usage =
        "all [--only P1,P5] [--skip P3] [--no-docs] [--docs docs/performance.md]\n" +
        "  Runs every figure below and rewrites the generated section of docs/performance.md. Figures: " +
        "P1 P2 P3 P4 Quality P5 P6 Micro.";

    /// <summary>The figures of the one-command run. Adding one is one line here.</summary>
    public static readonly IReadOnlyList<Figure> Figures =
    [
        new("P1", "Chart open at the product's default settings (largest Synthea patient; generated 10,000-resource patient)",
            "no user-visible loss against the reader before issue 23 (Synthea ≤ +10 ms; 10k ≤ its time): before/after in the P1 section",
            ["chart", "--runs", "9", "--latency-ms", "0,20,100"], Read: Readers.Chart),
        new("P2", "Prompt build for a 10,000-resource context",
            "p95 ≤ 20 ms; token budget never exceeded", ["prompt"], Read: Readers.Prompt),
        new("P3", "Token from the model endpoint to the page (Chromium)",
            "≤ 50 ms p95 added", [],
            Shell: ["env", "CLINICALASSIST_P3_GOAL=1", "dotnet", "test", "tests/ClinicalAssist.BrowserTests", "-c", "Release", "--filter", "FullyQualifiedName~ModelStreamingTests"],
            Read: Readers.P3),
        new("P4", "Review queue with 1,000,000 stored drafts (SQLite)",
            "page query p95 ≤ 50 ms", ["queue", "--drafts", "1000000"], Read: Readers.Queue),
        new("Quality", "Quality dashboard over 1,000,000 stored drafts (SQLite)",
            "30-day report p50 ≤ 1,000 ms", ["quality", "--drafts", "1000000", "--iterations", "10"], Read: Readers.Quality),
        new("P5", "Capacity: concurrent signed-in clinician circuits (Blazor Server protocol client)",
            "≥ 500 circuits with p95 interaction latency ≤ 200 ms and ≤ 300 KB server memory per idle circuit",
            ["capacity"]),
        new("P6", "Rounds batch: 30 patients, fake model answering in 2 s, at most 4 concurrent calls; peak working set (memory figure)",
            "product overhead ≤ 5 % of the wall-clock time; peak working set reported",
            ["rounds", "--patients", "30", "--concurrency", "4", "--latency-ms", "2000", "--iterations", "3"]),
        new("Micro", "Micro figures (BenchmarkDotNet)", "P2 prompt build mean ≤ 20 ms; the others are reported",
            ["micro", "--filter", "*"]),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter progress)
    {
        HashSet<string>? only = null;
        var skip = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var docs = Path.Combine(AppProcess.RepoRoot, "docs", "performance.md");
        var writeDocs = true;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--only" when value is not null: only = new(value.Split(','), StringComparer.OrdinalIgnoreCase); i++; break;
                case "--skip" when value is not null: skip.UnionWith(value.Split(',')); i++; break;
                case "--docs" when value is not null: docs = Path.GetFullPath(value); i++; break;
                case "--no-docs": writeDocs = false; break;
                default:
                    progress.WriteLine($"Unknown argument '{args[i]}'.\n{Usage}");
                    return 2;
            }
        }

        var artifacts = Path.Combine(AppProcess.RepoRoot, "artifacts", "perf");
        Directory.CreateDirectory(artifacts);
        var results = new List<FigureResult>();
        var total = Stopwatch.StartNew();
        foreach (var figure in Figures)
        {
            if (only is not null && !only.Contains(figure.Id) || skip.Contains(figure.Id)) continue;
            progress.WriteLine($"== {figure.Id}: {figure.Command}  ({DateTime.UtcNow:HH:mm:ss} UTC, load {CapacityBenchmark.LoadAverage()})");
            var result = await RunFigureAsync(figure, progress);
            await File.WriteAllTextAsync(Path.Combine(artifacts, figure.Id + ".md"), result.Report);
            progress.WriteLine($"== {figure.Id}: {result.Measured} | {result.Met} ({result.Seconds:0} s, exit {result.ExitCode})");
            results.Add(result);
        }

        var section = Render(results, total.Elapsed);
        output.WriteLine(section);
        if (writeDocs && results.Count > 0) await RewriteDocsAsync(docs, section);
        progress.WriteLine($"all: {results.Count} figures in {total.Elapsed.TotalMinutes:0.0} min; reports in artifacts/perf/{(writeDocs ? "; docs/performance.md updated" : "")}");
        return 0;
    }

    public sealed record FigureResult(Figure Figure, string Report, string Measured, string Met, int ExitCode, double Seconds,
        DateTime Started, string LoadBefore, string LoadAfter);

    private static async Task<FigureResult> RunFigureAsync(Figure figure, TextWriter progress)
    {
        var started = DateTime.UtcNow;
        var loadBefore = CapacityBenchmark.LoadAverage();
        var clock = Stopwatch.StartNew();
        ProcessStartInfo start;
        if (figure.Shell is not null)
        {
            start = new ProcessStartInfo(figure.Shell[0]);
            foreach (var a in figure.Shell.Skip(1)) start.ArgumentList.Add(a);
        }
        else
        {
            // This program again, one process per figure (the same build; memory and JIT state do not carry over).
            var host = Environment.ProcessPath!;
            start = new ProcessStartInfo(host);
            if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(AllCommand).Assembly.Location);
            foreach (var a in figure.Args) start.ArgumentList.Add(a);
        }
        start.WorkingDirectory = AppProcess.RepoRoot;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;

        var report = new StringBuilder();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (report) report.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (progress) progress.WriteLine("   " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync();
        var text = report.ToString();
        if (figure.Shell is not null && figure.Id == "P3")
        {
            var file = Path.Combine(AppProcess.RepoRoot, "artifacts", "browser-tests", "p3-token-latency.txt");
            text = File.Exists(file) && File.GetLastWriteTimeUtc(file) >= started.AddSeconds(-1)
                ? File.ReadAllText(file) + "\n(test output)\n" + Tail(text, 30)
                : "No P3 figure written by this run.\n" + Tail(text, 60);
        }

        (string Measured, string Met) read;
        if (process.ExitCode == 2 && text.Length == 0 || text.Contains("Unknown benchmark", StringComparison.Ordinal))
        {
            read = ("pending: " + (figure.Note ?? "the command is not available in this build"), "—");
        }
        else
        {
            try { read = (figure.Read ?? Readers.SummaryLine)(text); }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or IndexOutOfRangeException or ArgumentException)
            {
                read = ($"see report (could not read it: {ex.Message})", "?");
            }
            if (process.ExitCode is not 0 and not 1 && read.Met is "?" or "—") read = ($"failed (exit {process.ExitCode}); " + read.Measured, "no");
        }
        return new FigureResult(figure, text, read.Measured, read.Met, process.ExitCode, clock.Elapsed.TotalSeconds, started, loadBefore, CapacityBenchmark.LoadAverage());
    }

    private static string Tail(string text, int lines) => string.Join('\n', text.Split('\n').TakeLast(lines));

    private const string Begin = "<!-- all:begin (generated by `perf/run-all.sh`; edits inside are overwritten) -->";
    private const string End = "<!-- all:end -->";

    private static string Render(List<FigureResult> results, TimeSpan wall)
    {
        var o = new StringBuilder();
        o.AppendLine(Begin);
        o.AppendLine($"## Latest one-command run — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        o.AppendLine();
        o.AppendLine("```bash");
        o.AppendLine("perf/run-all.sh          # = dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- all");
        o.AppendLine("```");
        o.AppendLine();
        o.AppendLine($"Machine: {Machine.Describe()}. Total wall time {wall.TotalMinutes:0.0} min for {results.Count} figures. " +
            "The load average (1/5/15 min) is recorded with every figure: above the core count, other processes shared the CPUs " +
            "and tails are noisy — the final figures must come from a quiet run. Full reports: artifacts/perf/<figure>.md (not committed).");
        o.AppendLine();
        o.AppendLine("| Figure | Goal | Measured | Met | Run time | Load before → after |");
        o.AppendLine("|---|---|---|---|---:|---|");
        foreach (var r in results)
        {
            o.AppendLine($"| {r.Figure.Id} | {Cell(r.Figure.Goal)} | {Cell(r.Measured)} | {Cell(r.Met)} | {r.Seconds:0} s | {r.LoadBefore} → {r.LoadAfter} |");
        }
        o.AppendLine();
        foreach (var r in results)
        {
            o.AppendLine($"### {r.Figure.Id} — {r.Figure.Title}");
            o.AppendLine();
            o.AppendLine("| Goal | Measured | Met | Command | Date | Machine | Load average before → after |");
            o.AppendLine("|---|---|---|---|---|---|---|");
            o.AppendLine($"| {Cell(r.Figure.Goal)} | {Cell(r.Measured)} | {Cell(r.Met)} | `{r.Figure.Command}` | {r.Started:yyyy-MM-dd HH:mm} UTC | {Machine.Describe()} | {r.LoadBefore} → {r.LoadAfter} |");
            o.AppendLine();
            var tables = TablesOf(r.Report);
            if (tables.Length > 0)
            {
                o.AppendLine("<details><summary>Report tables of this run</summary>");
                o.AppendLine();
                o.AppendLine(tables);
                o.AppendLine("</details>");
                o.AppendLine();
            }
        }
        o.AppendLine(End);
        return o.ToString();
    }

    /// <summary>The markdown tables and "Summary"/"Degradation" lines of a report (what the docs keep of it).</summary>
    private static string TablesOf(string report)
    {
        var lines = report.Split('\n').Select(l => l.TrimEnd('\r'));
        var kept = new List<string>();
        var inTable = false;
        foreach (var line in lines)
        {
            var isRow = line.StartsWith('|');
            if (isRow || line.StartsWith("Summary:", StringComparison.Ordinal) || line.StartsWith("Degradation:", StringComparison.Ordinal)
                || line.StartsWith("P3 token", StringComparison.Ordinal) || line.StartsWith("Firely parse", StringComparison.Ordinal))
            {
                if (isRow && !inTable && kept.Count > 0) kept.Add("");
                kept.Add(line);
            }
            else if (inTable)
            {
                kept.Add("");
            }
            inTable = isRow;
        }
        return string.Join('\n', kept).Trim();
    }

    private static string Cell(string s) => s.Replace("|", "/", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    private static async Task RewriteDocsAsync(string path, string section)
    {
        var text = File.Exists(path) ? await File.ReadAllTextAsync(path) : "# Performance\n";
        var begin = text.IndexOf("<!-- all:begin", StringComparison.Ordinal);
        var end = text.IndexOf(End, StringComparison.Ordinal);
        if (begin >= 0 && end > begin)
        {
            text = text[..begin] + section.TrimEnd() + text[(end + End.Length)..];
        }
        else
        {
            // First time: after the title and the opening paragraph.
            var firstSection = text.IndexOf("\n## ", StringComparison.Ordinal);
            text = firstSection < 0 ? text + "\n" + section : text[..(firstSection + 1)] + section + "\n" + text[(firstSection + 1)..];
        }
        await File.WriteAllTextAsync(path, text);
    }

    /// <summary>Readers of the existing benchmarks' reports (their markdown tables).</summary>
    public static partial class Readers
    {
        public static (string, string) SummaryLine(string report)
        {
            var line = report.Split('\n').LastOrDefault(l => l.StartsWith("Summary:", StringComparison.Ordinal))
                ?? throw new InvalidOperationException("no 'Summary:' line");
            var parts = line["Summary:".Length..].Split(" | ");
            return (parts[0].Trim(), parts.Length > 1 ? parts[1].Trim() : "?");
        }

        private static List<string[]> Rows(string report, string startsWith) =>
            [.. report.Split('\n').Where(l => l.StartsWith("| " + startsWith, StringComparison.Ordinal))
                .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray())];

        public static (string, string) Context(string report)
        {
            var rows = Rows(report, "Largest").Concat(Rows(report, "Generated")).ToList();
            if (rows.Count == 0) throw new InvalidOperationException("no result rows");
            // columns: patient, resources, latency, plain, plain (validating parse), assembly, ratio, everything, ratio,
            // naive (product's _count), naive÷assembly, naive (server's default page), ÷assembly, naive (default page,
            // product's parser), ÷assembly, requests
            var parts = rows.Select(r => $"{(r[0].StartsWith("Largest", StringComparison.Ordinal) ? "Synthea" : "10k")} @{r[2]}: {r[6]}× / {r[12]}× ({r[10]}× vs naive with the product's _count{(r[14] == "—" ? "" : $"; {r[14]}× vs naive with the product's parser")})");
            var ratioMet = rows.Count(r => double.Parse(r[6], CultureInfo.InvariantCulture) <= 1.3);
            var naiveMet = rows.Count(r => double.Parse(r[12], CultureInfo.InvariantCulture) >= 3);
            var sameCountMet = rows.Count(r => double.Parse(r[10], CultureInfo.InvariantCulture) >= 3);
            var parserRows = rows.Where(r => r[14] != "—").ToList();
            var sameParserMet = parserRows.Count(r => double.Parse(r[14], CultureInfo.InvariantCulture) >= 3);
            return ("assembly÷plain / naive÷assembly: " + string.Join("; ", parts),
                $"≤ 1.3×: {ratioMet} of {rows.Count} rows; ≥ 3× vs naive (server's default page): {naiveMet} of {rows.Count}; vs naive with the product's _count: {sameCountMet} of {rows.Count}; vs naive with the product's parser (0 ms rows): {sameParserMet} of {parserRows.Count}");
        }

        public static (string, string) Chart(string report)
        {
            var rows = Rows(report, "Largest").Concat(Rows(report, "Generated")).ToList();
            if (rows.Count == 0) throw new InvalidOperationException("no result rows");
            // columns: patient, resources, latency, p50, p90, CPU per open, requests, sections
            return (string.Join("; ", rows.Select(r => $"{(r[0].StartsWith("Largest", StringComparison.Ordinal) ? "Synthea" : "10k")} @{r[2]}: p50 {r[3]} ms, CPU {r[5]} ms, {r[6]} requests")),
                "reported (compared with the reader before issue 23 in the P1 section)");
        }

        public static (string, string) Prompt(string report)
        {
            var rows = report.Split('\n').Where(l => DigitRow().IsMatch(l)).Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray()).ToList();
            if (rows.Count == 0) throw new InvalidOperationException("no result rows");
            // columns: budget, tokens, omitted, index p50, total p50, total p95, cpu, max, goal, met
            var measured = string.Join("; ", rows.Select(r => $"budget {r[0]}: p50 {r[4]} ms, p95 {r[5]} ms, CPU {r[6]} ms/build"));
            var budgetOk = !report.Contains("Budget exceeded", StringComparison.Ordinal);
            return (measured + (budgetOk ? "; budget never exceeded" : "; BUDGET EXCEEDED"),
                string.Join("; ", rows.Select(r => $"{r[0]}: {r[^1]}")));
        }

        public static (string, string) Queue(string report)
        {
            var rows = report.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains("p95 ≤ 50 ms", StringComparison.Ordinal))
                .Select(l => l.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray()).ToList();
            if (rows.Count == 0) throw new InvalidOperationException("no result rows");
            var worst = rows.MaxBy(r => double.Parse(r[2], CultureInfo.InvariantCulture))!;
            var met = rows.Count(r => r[^1] == "yes");
            return ($"worst page query p95 {worst[2]} ms ({worst[0]}); {rows.Count} page queries", $"{met} of {rows.Count} page queries");
        }

        public static (string, string) Quality(string report)
        {
            var row = Rows(report, "last 30 days").FirstOrDefault() ?? throw new InvalidOperationException("no 30-day row");
            // columns: period, drafts, p50, p95, max (the goal is checked here: p50 ≤ 1,000 ms)
            var p50 = double.Parse(row[2], NumberStyles.Number, CultureInfo.InvariantCulture);
            return ($"30 days ({row[1]} drafts): p50 {row[2]} ms, p95 {row[3]} ms", p50 <= 1000 ? "yes" : "no");
        }

        public static (string, string) P3(string report)
        {
            var m = P3Line().Match(report);
            if (!m.Success) return ("not measured: " + report.Split('\n').FirstOrDefault(), "no");
            var p95 = int.Parse(m.Groups["p95"].Value, CultureInfo.InvariantCulture);
            return ($"n={m.Groups["n"].Value} tokens: p50 {m.Groups["p50"].Value} ms, p95 {p95} ms, max {m.Groups["max"].Value} ms", p95 <= 50 ? "yes" : "no");
        }

        [GeneratedRegex(@"^\| [\d,]+ \| [\d,]+ \|")]
        private static partial Regex DigitRow();

        [GeneratedRegex(@"n=(?<n>\d+) p50=(?<p50>\d+) ms p95=(?<p95>\d+) ms max=(?<max>\d+) ms")]
        private static partial Regex P3Line();
    }
}

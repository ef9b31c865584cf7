using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Review;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Benchmarks.Micro;

/// <summary>
/// <c>micro [BenchmarkDotNet arguments]</c>: the micro figures through <see cref="BenchmarkSwitcher"/>
/// (e.g. <c>micro --filter *</c>, <c>micro --filter *Prompt*</c>, <c>micro --list flat</c>). The default job is a short
/// in-process one (1 launch, 3 warm-up, 5 measured iterations; no separate build) so the whole set takes a few
/// minutes on 2 cores; pass <c>--job short</c>/<c>--job default</c> etc. for BenchmarkDotNet's own jobs.
/// </summary>
public static class MicroCommand
{
    public const string Usage =
        "micro [--filter *] [any BenchmarkDotNet switch]\n" +
        "  Micro figures (BenchmarkDotNet, short in-process job): prompt build, citation verification, Synthea parse, context mapping, word diff.";

    public static readonly Type[] Benchmarks =
        [typeof(PromptBuildBenchmarks), typeof(CitationVerifyBenchmarks), typeof(SyntheaContextBenchmarks), typeof(WordDiffBenchmarks)];

    public static int Run(string[] args, TextWriter output)
    {
        if (args.Length == 0) args = ["--filter", "*"];
        var artifacts = Path.Combine(Capacity.AppProcess.RepoRoot, "artifacts", "perf", "BenchmarkDotNet");
        var config = ManualConfig.CreateEmpty()
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddLogger(new TextLogger(Console.Error)) // BenchmarkDotNet's log to stderr; stdout is the report
            .AddExporter(MarkdownExporter.GitHub)
            .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
            .WithArtifactsPath(artifacts)
            .WithOptions(ConfigOptions.DisableLogFile)
            .AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(5)
                .WithId("ShortInProcess"));
        var summaries = BenchmarkSwitcher.FromTypes(Benchmarks).Run(args, config).ToList();
        Report(output, summaries);
        return summaries.Any(s => s.HasCriticalValidationErrors) ? 1 : 0;
    }

    private static void Report(TextWriter o, List<Summary> summaries)
    {
        var reports = summaries.SelectMany(s => s.Reports).Where(r => r.ResultStatistics is not null).ToList();
        if (reports.Count == 0) return;
        o.WriteLine($"# Micro figures (BenchmarkDotNet, in-process: 1 launch, 3 warm-up, 5 iterations) — {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        o.WriteLine();
        o.WriteLine($"Machine: {Capacity.Machine.Describe()}; load average {Capacity.CapacityBenchmark.LoadAverage()}.");
        o.WriteLine();
        o.WriteLine("| Benchmark | mean ms | stddev ms | median ms | allocated per op KB | goal | met |");
        o.WriteLine("|---|---:|---:|---:|---:|---|---|");
        var prompt = double.NaN;
        foreach (var r in reports)
        {
            var name = r.BenchmarkCase.Descriptor.Type.Name.Replace("Benchmarks", "", StringComparison.Ordinal) + "." + r.BenchmarkCase.Descriptor.WorkloadMethod.Name;
            var s = r.ResultStatistics!;
            var kb = r.GcStats.GetBytesAllocatedPerOperation(r.BenchmarkCase) is long b ? (b / 1024.0).ToString("N0", CultureInfo.InvariantCulture) : "?";
            var goal = "—";
            var met = "—";
            if (r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(PromptBuildBenchmarks.BuildDefaultBudget))
            {
                prompt = s.Mean / 1e6;
                goal = "P2: ≤ 20 ms";
                met = prompt <= 20 ? "yes (mean)" : "no (mean)";
            }
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {s.Mean / 1e6:0.000} | {s.StandardDeviation / 1e6:0.000} | {s.Median / 1e6:0.000} | {kb} | {goal} | {met} |"));
        }
        o.WriteLine();
        o.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Summary: {reports.Count} micro benchmarks; prompt build (10,000 resources, 12,000-token budget) mean {prompt:0.0} ms (P2 goal ≤ 20 ms) | {(double.IsNaN(prompt) ? "n/a" : prompt <= 20 ? "yes" : "no")}"));
    }
}

/// <summary>P2's hot path: citation index + prompt build for the synthetic 10,000-resource record.</summary>
public class PromptBuildBenchmarks
{
    private PatientContext _context = null!;
    private PromptBuilder _builder = null!;
    private PromptSettings _settings = null!;

    [GlobalSetup]
    public void Setup()
    {
        _context = PromptBenchmark.SyntheticContext(10_000);
        _builder = new PromptBuilder();
        _settings = new PromptSettings(PromptSettings.DefaultTokenBudget);
    }

    [Benchmark]
    public CitationIndex CitationIndexOnly() => CitationIndex.Build(_context);

    [Benchmark]
    public RenderedPrompt BuildDefaultBudget()
    {
        var prompt = _builder.Build(_context, CitationIndex.Build(_context), _builder.DefaultTemplate, _settings);
        if (prompt.Tokens > _settings.TokenBudget) throw new InvalidOperationException("budget exceeded");
        return prompt;
    }
}

/// <summary>Verifying a long draft's citations against the 10,000-resource record's index.</summary>
public class CitationVerifyBenchmarks
{
    private CitationIndex _index = null!;
    private string _draft = "";
    private readonly CitationVerifier _verifier = new();

    [GlobalSetup]
    public void Setup()
    {
        _index = CitationIndex.Build(PromptBenchmark.SyntheticContext(10_000));
        var keys = _index.Entries.Select(e => e.Key).Take(400).ToArray();
        var text = new StringBuilder();
        var k = 0;
        foreach (var section in CitationVerifier.SectionNames)
        {
            text.Append("## ").AppendLine(section);
            for (var line = 0; line < 20; line++)
            {
                text.Append("- Finding ").Append(line).Append(" supported by the record ");
                for (var c = 0; c < 3; c++) text.Append('[').Append(keys[k++ % keys.Length]).Append(']');
                text.AppendLine(".");
            }
        }
        _draft = text.ToString();
    }

    [Benchmark]
    public CitationCheck Verify() => _verifier.Verify(_draft, _index);
}

/// <summary>The largest Synthea patient (shared/fhir-samples, by path): Firely parse of the file, and the context
/// builder's mapping of the parsed record (PatientContextBuilder.Build).</summary>
public class SyntheaContextBenchmarks
{
    private string _json = "";
    private PatientRecord _record = null!;
    private PatientContextBuilder _builder = null!;
    private readonly FhirJsonDeserializer _deserializer = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));

    [GlobalSetup]
    public void Setup()
    {
        var samples = FindSamples();
        var file = Directory.GetFiles(samples, "*.json").OrderByDescending(f => new FileInfo(f).Length).First();
        _json = File.ReadAllText(file);
        var source = new DirectoryRecordSource(Options.Create(new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = samples }), TimeProvider.System, NullLogger<DirectoryRecordSource>.Instance);
        var patientId = source.SearchPatientsAsync(null, CancellationToken.None).GetAwaiter().GetResult()
            .First(p => file.Contains(p.Mrn ?? "\0", StringComparison.Ordinal)).Id;
        _record = source.GetRecordAsync(patientId, CancellationToken.None).GetAwaiter().GetResult() ?? throw new InvalidOperationException("no record");
        _builder = new PatientContextBuilder(source, TimeProvider.System, NullLogger<PatientContextBuilder>.Instance);
    }

    [Benchmark]
    public int ParseLargestBundle() => _deserializer.Deserialize<Bundle>(_json).Entry.Count;

    [Benchmark]
    public PatientContext MapLargestRecord() => _builder.Build(_record);

    private static string FindSamples()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fhir-samples", "synthea-r4");
            if (Directory.Exists(candidate)) return candidate;
        }
        return "/work/shared/fhir-samples/synthea-r4";
    }
}

/// <summary>The reviewer's word diff of an edited ~600-word draft (every 10th word changed).</summary>
public class WordDiffBenchmarks
{
    private string _original = "";
    private string _edited = "";

    [GlobalSetup]
    public void Setup()
    {
        var words = Enumerable.Range(0, 600).Select(i => "word" + (i * 7919 % 211).ToString(CultureInfo.InvariantCulture)).ToArray();
        _original = string.Join(' ', words);
        _edited = string.Join(' ', words.Select((w, i) => i % 10 == 3 ? "changed" + i.ToString(CultureInfo.InvariantCulture) : w));
    }

    [Benchmark]
    public int Diff() => WordDiff.Compute(_original, _edited).Count;
}

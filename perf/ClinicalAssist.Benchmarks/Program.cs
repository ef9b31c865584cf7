using ClinicalAssist.Benchmarks;
using ClinicalAssist.Benchmarks.Queue;

// Measurement harness. Usage (Release):
//   dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- queue [--drafts 1000000] [--iterations 200] [--db path]
//   dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- prompt [--resources 10000] [--iterations 200] [--budget N]
//   dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- demo-patients --count 30 --out <folder> [--seed N]
//   dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- context [--iterations 7] [--latency-ms 0,20]
//   dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- chart [--runs 15] [--latency-ms 0,20,100]   (product defaults)
//   dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- quality [--drafts 1000000] [--iterations 10]
//   dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- capacity [--steps 0,50,100,200,300,400,500]
//   dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- micro [--filter *]   (BenchmarkSwitcher)
//   dotnet run -c Release --project perf/ClinicalAssist.Benchmarks -- all    (every figure; rewrites docs/performance.md)
if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(QueueBenchmarkOptions.Usage);
    Console.WriteLine(DemoPatientsCommand.Usage);
    Console.WriteLine(PromptBenchmark.Usage);
    Console.WriteLine(ContextBenchmark.Usage);
    Console.WriteLine(ChartBenchmark.Usage);
    Console.WriteLine(ClinicalAssist.Benchmarks.Quality.QualityBenchmark.Usage);
    Console.WriteLine(ClinicalAssist.Benchmarks.Capacity.CapacityBenchmark.Usage);
    Console.WriteLine(ClinicalAssist.Benchmarks.Micro.MicroCommand.Usage);
    Console.WriteLine(AllCommand.Usage);
    return 0;
}

if (args[0] == "all")
{
    return await AllCommand.RunAsync(args[1..], Console.Out, Console.Error);
}

if (args[0] == "micro")
{
    return ClinicalAssist.Benchmarks.Micro.MicroCommand.Run(args[1..], Console.Out);
}

if (args[0] == "capacity")
{
    return await ClinicalAssist.Benchmarks.Capacity.CapacityBenchmark.RunAsync(args[1..], Console.Out, Console.Error);
}

if (args[0] == "rounds") return await ClinicalAssist.Benchmarks.RoundsBenchmark.RunAsync(args[1..], Console.Out, Console.Error);

if (args[0] == "prompt")
{
    return PromptBenchmark.Run(args.AsSpan(1), Console.Out, Console.Error);
}

if (args[0] == "chart")
{
    return await ChartBenchmark.RunAsync(args[1..], Console.Out, Console.Error);
}

if (args[0] == "context")
{
    return await ContextBenchmark.RunAsync(args[1..], Console.Out, Console.Error);
}

if (args[0] == "demo-patients")
{
    return DemoPatientsCommand.Run(args.AsSpan(1), Console.Out, Console.Error);
}

if (args[0] == "quality")
{
    return await ClinicalAssist.Benchmarks.Quality.QualityBenchmark.RunAsync(args.AsSpan(1), Console.Out, Console.Error, CancellationToken.None);
}

if (args[0] != "queue")
{
    Console.Error.WriteLine($"Unknown benchmark '{args[0]}'.");
    Console.Error.WriteLine(QueueBenchmarkOptions.Usage);
    return 2;
}

QueueBenchmarkOptions options;
try
{
    options = QueueBenchmarkOptions.Parse(args.AsSpan(1));
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    Console.Error.WriteLine(QueueBenchmarkOptions.Usage);
    return 2;
}

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };

try
{
    await new QueueBenchmark(options, Console.Out, Console.Error).RunAsync(cancellation.Token);
    return 0;
}
catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
{
    Console.Error.WriteLine("Cancelled.");
    return 130;
}
catch (SeedVerificationException ex)
{
    Console.Error.WriteLine($"Seed verification failed: {ex.Message}");
    return 1;
}

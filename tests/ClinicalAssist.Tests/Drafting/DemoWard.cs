using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.DemoData;
using ClinicalAssist.Web.Features.Drafting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>The 12 demo patients (one per scenario) and the 41 Synthea samples as patient contexts, built once per test
/// run with the product's own demo source, directory source and context builder; and the offline draft of each.</summary>
internal static class DemoWard
{
    private static readonly Lazy<Task<IReadOnlyList<(string Scenario, PatientContext Context)>>> Demo = new(LoadDemoAsync);
    private static readonly Lazy<Task<IReadOnlyList<(string File, PatientContext Context)>>> Synthea = new(LoadSyntheaAsync);

    public static Task<IReadOnlyList<(string Scenario, PatientContext Context)>> DemoPatientsAsync() => Demo.Value;

    public static Task<IReadOnlyList<(string File, PatientContext Context)>> SyntheaPatientsAsync() => Synthea.Value;

    public static OfflineDrafter Drafter() => new(new PromptInjectionDetector(), TimeSpan.Zero);

    /// <summary>The offline drafter's answer, after the JSON round trip every drafter's answer takes.</summary>
    public static DraftAnswer Draft(PatientContext context, CitationIndex index) =>
        DraftAnswerParser.TryParse(Drafter().ComposeDraft(context, index)) ?? throw new InvalidOperationException("the offline answer did not parse");

    private static async Task<IReadOnlyList<(string, PatientContext)>> LoadDemoAsync()
    {
        var time = new FakeTimeProvider(Now);
        var source = new DemoRecordSource(Options.Create(new FhirOptions { DemoPatientCount = DemoScenarios.All.Count }), time);
        var builder = new PatientContextBuilder(source, time, NullLogger<PatientContextBuilder>.Instance);
        var list = new List<(string, PatientContext)>();
        foreach (var patient in (await source.SearchPatientsAsync(null, CancellationToken.None)).OrderBy(p => p.Id, StringComparer.Ordinal))
        {
            var index = int.Parse(patient.Id.Split('-')[1], System.Globalization.CultureInfo.InvariantCulture) - 1;
            list.Add((DemoScenarios.All[index].Key, (await builder.BuildAsync(patient.Id, CancellationToken.None))!));
        }
        return list;
    }

    private static async Task<IReadOnlyList<(string, PatientContext)>> LoadSyntheaAsync()
    {
        var time = new FakeTimeProvider(Now);
        var options = Options.Create(new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = SyntheaDirectory() });
        var source = new DirectoryRecordSource(options, time, NullLogger<DirectoryRecordSource>.Instance);
        var builder = new PatientContextBuilder(source, time, NullLogger<PatientContextBuilder>.Instance, options);
        var list = new List<(string, PatientContext)>();
        foreach (var patient in (await source.SearchPatientsAsync(null, CancellationToken.None)).OrderBy(p => p.Id, StringComparer.Ordinal))
            list.Add((patient.Id, (await builder.BuildAsync(patient.Id, CancellationToken.None))!));
        return list;
    }
}

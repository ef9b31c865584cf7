using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>The stricter checks (every number of a statement, any key of the grammar) do not catch the offline
/// drafter out: its draft of every demo patient verifies without a critical finding, so it signs without the override.</summary>
public sealed class DemoWardVerificationTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_demo_patients_offline_draft_has_no_critical_finding()
    {
        var source = new DemoRecordSource(Options.Create(new FhirOptions { DemoPatientCount = 12 }), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now));
        var builder = new PatientContextBuilder(source, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance);
        var findings = new List<string>();
        foreach (var patient in await source.SearchPatientsAsync(null, Ct))
        {
            var context = (await builder.BuildAsync(patient.Id, Ct))!;
            var index = CitationIndex.Build(context);
            var json = new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero).ComposeDraft(context, index);
            var answer = DraftAnswerParser.TryParse(json, out var invalid)!;
            var text = answer.ToText();
            var check = new CitationVerifier().Verify(text, index);
            var v = new DraftSafetyNet().Verify(text, structured: true, check, context, index, Now, invalid);
            if (v.HasCriticalFindings)
            {
                findings.Add($"patient {patient.Id}: unknown [{string.Join(",", v.UnknownKeys)}] invalid [{string.Join(",", v.InvalidCitations)}] numbers [{string.Join("; ", v.NumberMismatches.Select(m => m.Value + " in " + m.Statement))}]");
            }
        }
        Assert.True(findings.Count == 0, string.Join("\n", findings));
    }
}

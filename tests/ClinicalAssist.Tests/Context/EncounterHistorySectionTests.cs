using Bunit;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Patients;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Logging.Abstractions;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>The Encounter history section, added as one declaration in the section table
/// (<see cref="ContextSections.EncounterHistory"/>): the builder maps it, the chart shows it, the prompt sends it and
/// the citation index gives its items keys, without a change anywhere else.</summary>
public sealed class EncounterHistorySectionTests : MudTestContext
{
    private static PatientContext Context()
    {
        var (patient, resources) = DemoLikePatient();
        resources.Add(new Encounter
        {
            Id = "enc-error", Status = Encounter.EncounterStatus.EnteredInError, Subject = PatientRef("p1"),
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "EMER"), Period = new Period { StartElement = new FhirDateTime(Now.AddDays(-5)) },
        });
        resources.Add(new Encounter
        {
            Id = "enc-other", Status = Encounter.EncounterStatus.Finished, Subject = PatientRef("p2"),
            Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "EMER"), Period = new Period { StartElement = new FhirDateTime(Now.AddDays(-6)) },
        });
        return new PatientContextBuilder(new NoSource(), new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance)
            .Build(new PatientRecord(patient, resources, []));
    }

    [Fact]
    public void The_builder_lists_the_patients_encounters_newest_first_without_errors_or_other_patients()
    {
        var context = Context();

        var history = context.EntriesOf(ContextSections.EncounterHistory.Key);
        Assert.Equal(["enc-now", "enc-old"], history.Select(e => e.Source.Id));
        Assert.Equal("IMP", history[0].Display); // no type: the class code
        Assert.Equal("inprogress; Community-acquired pneumonia", history[0].Detail);
        var status = Assert.Single(context.Sections, s => s.Section == "EncounterHistory");
        Assert.Equal((SectionState.Loaded, 2), (status.State, status.Count));
        Assert.Contains("Encounter/enc-old", context.Resources.Keys);
    }

    [Fact]
    public void The_chart_shows_it_with_its_label_and_count()
    {
        var context = Context();

        var cut = Render<ChartSections>(p => p.Add(x => x.Context, context));

        var section = cut.Find("[data-testid=section-EncounterHistory]");
        Assert.Contains("Encounter history", section.TextContent, StringComparison.Ordinal);
        Assert.Equal("2", cut.Find("[data-testid=count-EncounterHistory]").TextContent.Trim());
        Assert.Equal(2, section.QuerySelectorAll("[data-testid=entry]").Length);
    }

    [Fact]
    public void The_prompt_sends_it_and_its_items_are_cited_with_the_tables_letter()
    {
        var context = Context();
        var citations = CitationIndex.Build(context);

        var prompt = new PromptBuilder().Build(context, citations);

        // The current encounter keeps its first key (E1) in the history too; the older one gets the table's letter.
        Assert.Equal("E1", citations.KeyFor(ResourceRef.From(new Encounter { Id = "enc-now" })));
        Assert.True(citations.TryResolve("H1", out var old));
        Assert.Equal("Encounter/enc-old", old.Reference);
        Assert.False(citations.TryResolve("H2", out _));
        Assert.Contains("\nENCOUNTER HISTORY\n[E1] ", prompt.User, StringComparison.Ordinal);
        Assert.Contains("\n[H1] ", prompt.User, StringComparison.Ordinal);
        Assert.Equal("Past encounter: AMB, finished, 24 Nov 2025", ContextLabels.For(context, "Encounter/enc-old"));
    }

    private sealed class NoSource : IPatientRecordSource
    {
        public string Name => "None";

        public Task<IReadOnlyList<PatientSummary>> SearchPatientsAsync(string? query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<PatientRecord?> GetRecordAsync(string patientId, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}

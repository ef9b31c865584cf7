using Bunit;
using ClinicalAssist.Tests.Admin;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Patients;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>One test per defect of issue 25, on the generated edge-case records (<see cref="EdgeCaseRecords"/>): dates
/// say their year, "Recent" is the recent window, notes say "showing 10 of N" and keep flagged notes reachable, deceased
/// patients are marked in the banner data and the prompt, encounters are labelled by class and status, the patient
/// list looks encounters up by <c>subject=</c>, and the capability check logs what /metadata actually answered.</summary>
public sealed class RealRecordDefectTests : MudTestContext
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static async Task<PatientContext> EdgeContextAsync(string patientId)
    {
        var folder = EdgeCaseRecords.WriteFolder();
        try
        {
            var options = Options.Create(new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = folder });
            var source = new DirectoryRecordSource(options, new FakeTimeProvider(Now), NullLogger<DirectoryRecordSource>.Instance);
            var context = await new PatientContextBuilder(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance, options).BuildAsync(patientId, Ct);
            return context ?? throw new InvalidOperationException("generated patient not found");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Dates_carry_the_year_unless_it_is_the_current_year()
    {
        Assert.Equal("08 Oct 1984 22:39", ClinicalDates.Short(new DateTimeOffset(1984, 10, 8, 22, 39, 0, TimeSpan.Zero), Now));
        Assert.Equal("08 Oct 22:39", ClinicalDates.Short(new DateTimeOffset(2026, 10, 8, 22, 39, 0, TimeSpan.Zero), Now));
        Assert.Equal("04 Feb 1985", ClinicalDates.Day(new DateTimeOffset(1985, 2, 4, 9, 0, 0, TimeSpan.Zero), Now));
        Assert.Equal("date unknown", ClinicalDates.Short(null, Now));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_lab_from_1984_is_under_Earlier_with_its_year_not_under_Recent()
    {
        var context = await EdgeContextAsync(EdgeCaseRecords.DeceasedId);

        var cut = Render<ChartSections>(p => p.Add(x => x.Context, context));

        Assert.Empty(cut.FindAll("[data-testid=labs] tr")); // nothing inside the recent window (all results are from 2019 or 1984)
        Assert.Contains("No results in this period", cut.Find("[data-testid=labs-none-recent]").TextContent, StringComparison.Ordinal);
        // Potassium, hemoglobin (filed as a lab by its LOINC class) and the 1984 glucose: three tests, none recent.
        Assert.Contains("Earlier: 3 tests with no recent result", cut.Find("[data-testid=labs-earlier]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("08 Oct 22:39", cut.Markup, StringComparison.Ordinal);
        Assert.Contains(context.Labs, l => l.Display == "Glucose" && !context.IsRecent(l.Effective));
        Assert.Equal("08 Oct 1984 22:39", ClinicalDates.Short(context.Labs.Single(l => l.Display == "Glucose").Effective, context.AssembledAt));
    }

    [Fact]
    public async System.Threading.Tasks.Task The_chart_lists_other_observations_by_category_and_its_coverage_panel_says_what_was_left_out()
    {
        var context = await EdgeContextAsync(EdgeCaseRecords.DeceasedId);

        var chart = Render<ChartSections>(p => p.Add(x => x.Context, context));
        var categories = chart.FindAll("[data-testid=other-category]").Select(c => c.TextContent.Split(' ')[0]).ToHashSet();
        Assert.Superset(new HashSet<string> { "survey", "exam", "social-history", "imaging", "procedure", "activity", "therapy", "uncategorised", "clinical-note-finding" }, categories);
        Assert.Contains(chart.FindAll("[data-testid=other-observation]"), o => o.TextContent.Contains("48000 copies/mL", StringComparison.Ordinal) && o.TextContent.Contains("25 May 2019", StringComparison.Ordinal));

        var panel = Render<ClinicalAssist.Web.Components.Shared.CoveragePanel>(p => p
            .Add(x => x.Summary, $"Record: {context.Coverage.Received} resources received, {context.Coverage.Shown} shown in the chart.")
            .Add(x => x.LeftOut, context.Coverage.NotShownLines())
            .Add(x => x.Items, context.Coverage.NotShownItems()));
        Assert.Contains("2 groups left out", panel.Find("[data-testid=coverage-summary]").TextContent, StringComparison.Ordinal);
        panel.Find(".mud-expand-panel-header").Click();
        Assert.Equal(["1 Claim resource not shown: a type the chart does not show— show", "1 Organization resource not shown: a type the chart does not show— show"],
            panel.FindAll("[data-testid=coverage-left-out] > li").Select(li => System.Text.RegularExpressions.Regex.Replace(li.TextContent, @"\s+", " ").Trim()));

        // "— show" lists what the group held, and hides it again.
        await panel.InvokeAsync(() => panel.FindAll("[data-testid=coverage-show]")[0].Click());
        panel.WaitForAssertion(() => Assert.Single(panel.FindAll("[data-testid=coverage-items] li")));
        Assert.StartsWith("Claim", panel.Find("[data-testid=coverage-items] li").TextContent, StringComparison.Ordinal);
        await panel.InvokeAsync(() => panel.Find("[data-testid=coverage-show]").Click());
        panel.WaitForAssertion(() => Assert.Empty(panel.FindAll("[data-testid=coverage-items]")));
    }

    [Fact]
    public async System.Threading.Tasks.Task Notes_say_showing_10_of_12_and_the_flagged_oldest_note_is_reachable()
    {
        var context = await EdgeContextAsync(EdgeCaseRecords.DeceasedId);
        var warnings = new PromptInjectionDetector().Scan(context);
        Assert.Contains(warnings, w => w.Source.Id == "note-2008"); // the oldest of twelve carries instruction-like text

        var cut = Render<ChartSections>(p => p.Add(x => x.Context, context).Add(x => x.InjectionWarnings, warnings));

        Assert.Contains("Showing 10 of 12 notes", cut.Find("[data-testid=notes-count]").TextContent, StringComparison.Ordinal);
        Assert.Contains("1 older note with a warning", cut.Find("[data-testid=notes-count]").TextContent, StringComparison.Ordinal);
        var titles = cut.FindAll("[data-testid=note]").Select(n => n.TextContent).ToList();
        Assert.Equal(11, titles.Count); // the 10 newest and the flagged one
        Assert.Contains(titles, t => t.Contains("01 Mar 2008", StringComparison.Ordinal) && t.Contains("instruction-like", StringComparison.Ordinal));
        Assert.All(titles, t => Assert.Matches(@"\d{2} Mar 20\d\d", t)); // ten yearly notes read as ten years, not one season

        cut.Find("[data-testid=notes-show-all] button, button[data-testid=notes-show-all]").Click();
        Assert.Equal(12, cut.FindAll("[data-testid=note]").Count);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_deceased_patient_is_marked_and_the_prompt_says_died_2019_aged_62()
    {
        var context = await EdgeContextAsync(EdgeCaseRecords.DeceasedId);

        Assert.True(context.Patient.Deceased);
        Assert.Equal("died 2019, aged 62", context.Patient.DeceasedText);
        var prompt = new PromptBuilder().Build(context, CitationIndex.Build(context));
        Assert.Contains("PATIENT: DECEASED — died 2019, aged 62", prompt.User, StringComparison.Ordinal);
        Assert.DoesNotContain("age 62 years", prompt.User, StringComparison.Ordinal);
        var offline = new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero).ComposeDraft(context, CitationIndex.Build(context));
        Assert.Contains("Deceased patient (male, died 2019, aged 62)", offline, StringComparison.Ordinal);
        Assert.DoesNotContain("62-year-old", offline, StringComparison.Ordinal);

        var flagged = await EdgeContextAsync(EdgeCaseRecords.DeceasedFlagId);
        Assert.Equal("deceased (date not recorded)", flagged.Patient.DeceasedText);
        Assert.Null(flagged.Patient.AgeYears); // not the age she would be today
    }

    [Fact]
    public async System.Threading.Tasks.Task Encounters_are_labelled_by_class_and_status_and_Admitted_only_for_inpatients()
    {
        var context = await EdgeContextAsync(EdgeCaseRecords.DeceasedId);
        var emergency = await EdgeContextAsync(EdgeCaseRecords.DeceasedFlagId);

        Assert.Equal("Admitted 20 May 2019 14:00 · finished", EncounterLabels.Describe(context.Encounter!, Now));
        Assert.Equal("Emergency visit 02 Jan 2020 03:00 · finished", EncounterLabels.Describe(emergency.Encounter!, Now));
        var ambulatory = context.Encounter! with { Class = "ambulatory", Start = new DateTimeOffset(1985, 2, 4, 0, 0, 0, TimeSpan.Zero) };
        Assert.Equal("Ambulatory visit 04 Feb 1985 · finished", EncounterLabels.Describe(ambulatory, Now));
        Assert.Contains(context.EntriesOf("EncounterHistory"), e => e.Source.Id == "enc-amb-1985");
    }

    [Fact]
    public async System.Threading.Tasks.Task Other_observations_are_prompted_with_their_category_and_key_and_the_newest_of_each_kind_first()
    {
        var context = await EdgeContextAsync(EdgeCaseRecords.DeceasedId);
        var citations = CitationIndex.Build(context);
        var viralLoad = context.OtherObservations.Single(o => o.Source.Id == "obs-survey-vl");

        var prompt = new PromptBuilder().Build(context, citations);

        Assert.StartsWith("O", citations.KeyFor(viralLoad.Source), StringComparison.Ordinal);
        Assert.Contains("OTHER OBSERVATIONS", prompt.User, StringComparison.Ordinal);
        Assert.Contains($"[{citations.KeyFor(viralLoad.Source)}] 2019-05-25 08:00 (survey) HIV 1 RNA", prompt.User, StringComparison.Ordinal);

        // A budget that leaves most out still carries the newest viral load, smoking and pregnancy status, and says what it left out.
        var tight = new PromptBuilder().Build(context, citations, new PromptBuilder().DefaultTemplate, PromptSettings.Default with { TokenBudget = prompt.Tokens - 250 });
        Assert.Contains("HIV 1 RNA", tight.User, StringComparison.Ordinal);
        Assert.Contains("Tobacco smoking status", tight.User, StringComparison.Ordinal);
        Assert.Contains("Pregnancy status", tight.User, StringComparison.Ordinal);
        Assert.NotEmpty(tight.Omitted);

        // The draft's coverage says what the record held, what the drafter got, and what was left out and why.
        var coverage = DraftCoverage.From(context, tight);
        Assert.Equal(context.Coverage.Received, coverage.Received);
        Assert.StartsWith($"The record held {context.Coverage.Received} resources; the chart showed {context.Coverage.Shown};", coverage.Summary(), StringComparison.Ordinal);
        Assert.Contains(coverage.LeftOut, l => l.EndsWith(": token budget", StringComparison.Ordinal));
        Assert.Contains("1 Claim resource not shown: a type the chart does not show", coverage.LeftOut);
        Assert.True(coverage.Sent < DraftCoverage.From(context, prompt).Sent);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_patient_list_looks_up_ongoing_encounters_by_subject_not_patient()
    {
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        using var host = ServerRecordSourceTests.Host(server.BaseUrl);
        var source = host.Services.GetRequiredService<IPatientRecordSource>();

        var list = await source.SearchPatientsAsync(null, Ct);

        Assert.Equal("Ward 7B, Bed 12", Assert.Single(list).Location); // the ongoing encounter was found
        var lookups = server.Requests.Where(r => r.StartsWith("/fhir/Encounter?", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(lookups);
        Assert.All(lookups, r => Assert.Contains("subject=Patient%2Fp1", r, StringComparison.Ordinal));
        Assert.DoesNotContain(lookups, r => r.Contains("patient=", StringComparison.Ordinal));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_look_up_the_server_finds_too_long_is_split_until_it_answers()
    {
        var (patient, resources) = DemoLikePatient();
        var ids = resources.OfType<Hl7.Fhir.Model.Observation>().Select(o => o.Id!).ToArray();
        Assert.Equal(7, ids.Length);
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        // A server whose URL limit allows two ids per look-up.
        server.QueryFault = (type, query) => (string?)query["_id"] is { } asked && asked.Split(',').Length > 2
            ? Results.StatusCode(414)
            : null;
        var reader = new FhirRecordReader(new ClinicalAssist.Tests.WriteBack.PlainHttpClientFactory(),
            new FhirOptions { Source = FhirSourceKind.Server, ServerBaseUrl = server.BaseUrl.ToString(), MaxRetries = 0 }, TimeProvider.System,
            NullLogger.Instance);

        var found = await reader.SearchByIdsAsync("Observation", ids, Ct);

        Assert.Equal(ids.Order(), found.Select(r => r.Id).Order()); // every id answered, none twice
        var lookups = server.Requests.Where(r => r.StartsWith("/fhir/Observation?", StringComparison.Ordinal)).ToList();
        Assert.Equal(1 + 2 + 4, lookups.Count); // 7 refused; 3 and 4 refused; 1, 2, 2 and 2 answered
    }

    [Fact]
    public async System.Threading.Tasks.Task The_capability_check_logs_an_empty_Bundle_as_what_it_is()
    {
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.Fault = (type, _) => type == "metadata"
            ? Results.Content("""{"resourceType":"Bundle","type":"searchset","total":0}""", "application/fhir+json")
            : null;
        var logs = new CapturingLoggerProvider();
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, services: s => s.AddLogging(l => l.AddProvider(logs)));
        var source = host.Services.GetRequiredService<IPatientRecordSource>();

        var record = await source.GetRecordAsync("p1", Ct);

        Assert.NotNull(record);
        Assert.Contains(logs.Lines, l => l.Contains("/metadata answered an empty Bundle instead of a CapabilityStatement", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("CapabilityStatement failed", StringComparison.Ordinal) || l.Contains("HTTP 200", StringComparison.Ordinal));
    }
}

using System.Diagnostics;
using System.Text;
using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>The Server source against a loopback fake that misbehaves in one place at a time: every fault gives a
/// clear message in its own section only, and everything else (and earlier pages) still loads.</summary>
public sealed class ServerFaultTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static async Task<(PatientContext Context, FakeFhirServer Server)> BuildAsync(
        Func<string, int, IResult?>? fault, Action<FakeFhirServer>? configure = null, List<Resource>? extra = null,
        int pageSize = 2, int maxRetries = 1, int timeoutSeconds = 30, IDictionary<string, string?>? settings = null)
    {
        var (patient, resources) = DemoLikePatient();
        resources.AddRange(extra ?? []);
        var server = await FakeFhirServer.StartAsync(patient, resources);
        server.Fault = fault;
        configure?.Invoke(server);
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, pageSize: pageSize, maxRetries: maxRetries, timeoutSeconds: timeoutSeconds, extra: settings);
        using var scope = host.Services.CreateScope();
        var context = await scope.ServiceProvider.GetRequiredService<PatientContextBuilder>().BuildAsync("p1", Ct);
        Assert.NotNull(context);
        return (context, server);
    }

    private static SectionStatus Section(PatientContext context, string name) => context.Sections.Single(s => s.Section == name);

    private static IResult Status(int status) => FakeFhirServer.Fhir(new OperationOutcome
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = OperationOutcome.IssueType.Exception, Diagnostics = "p1 secret detail" }],
    }, status);

    [Theory]
    [InlineData(401, "Condition", "Conditions", "did not accept our credentials (401)")]
    [InlineData(403, "AllergyIntolerance", "Allergies", "refused access (403)")]
    [InlineData(404, "DocumentReference", "Notes", "does not offer this search (404)")]
    [InlineData(500, "Encounter", "Encounter", "server returned 500")]
    [InlineData(503, "Observation", "Labs", "server returned 503")]
    public async System.Threading.Tasks.Task An_error_status_fails_only_its_section_with_a_clear_message(int status, string type, string section, string expected)
    {
        var (context, server) = await BuildAsync((t, _) => t == type ? Status(status) : null);
        await using var _ = server;

        var failed = Section(context, section);
        Assert.Equal(SectionState.Failed, failed.State);
        Assert.Contains(expected, failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("p1", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", failed.Message, StringComparison.Ordinal);
        // Only the sections the failed search feeds (from the section table: Observation feeds Labs and Vitals).
        var fed = ContextSections.Searches.Where(q => q.Search.Type == type).SelectMany(q => q.Sections).ToList();
        Assert.Contains(section, fed);
        Assert.All(context.Sections.Where(s => s.State == SectionState.Failed), s => Assert.Contains(s.Section, fed));
        if (type != "Condition")
        {
            Assert.NotEmpty(context.Conditions);
        }

        // 5xx is retried once (MaxRetries = 1), 4xx other than 429 is not.
        var tries = server.Requests.Count(r => r.StartsWith("/fhir/" + type + "?", StringComparison.Ordinal));
        Assert.Equal((status >= 500 ? 2 : 1) * ContextSections.Searches.Count(q => q.Search.Type == type), tries);
    }

    [Fact]
    public async System.Threading.Tasks.Task Too_many_requests_is_retried_after_the_servers_retry_after()
    {
        var throttled = 0;
        var clock = Stopwatch.StartNew();
        var (context, server) = await BuildAsync((t, page) =>
        {
            if (t == "Condition" && Interlocked.Increment(ref throttled) == 1)
            {
                return new RetryAfterResult(1);
            }

            return null;
        }, maxRetries: 2);
        await using var _ = server;

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), $"waited only {clock.Elapsed}");
        Assert.Equal(SectionState.Loaded, Section(context, "Conditions").State);
        Assert.NotEmpty(context.Conditions);
        Assert.Equal(2, server.Requests.Count(r => r.StartsWith("/fhir/Condition?", StringComparison.Ordinal) && !r.Contains("page=", StringComparison.Ordinal)));
    }

    [Fact]
    public async System.Threading.Tasks.Task Persistent_429_fails_the_section_with_a_rate_limit_message()
    {
        var (context, server) = await BuildAsync((t, _) => t == "Immunization" ? new RetryAfterResult(0) : null, maxRetries: 1);
        await using var _ = server;

        var failed = Section(context, "Immunizations");
        Assert.Equal(SectionState.Failed, failed.State);
        Assert.Contains("rate-limiting requests (429)", failed.Message, StringComparison.Ordinal);
        Assert.NotEmpty(context.Conditions);
    }

    [Fact]
    public async System.Threading.Tasks.Task Malformed_json_fails_its_section_only()
    {
        var (context, server) = await BuildAsync((t, _) => t == "MedicationRequest"
            ? Results.Text("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[{\"resource\":{\"resourceType\":\"MedicationRequest\",", "application/fhir+json")
            : null);
        await using var _ = server;

        var failed = Section(context, "Medications");
        Assert.Equal(SectionState.Failed, failed.State);
        Assert.True(failed.Message!.Contains("could not be read", StringComparison.Ordinal), failed.ToString());
        Assert.NotEmpty(context.Labs);
        Assert.NotEmpty(context.Conditions);
    }

    [Fact]
    public async System.Threading.Tasks.Task An_unknown_element_is_ignored_and_the_resource_still_loads()
    {
        var condition = new Condition
        {
            Id = "cond-x", Subject = PatientRef("p1"),
            Code = Concept("http://snomed.info/sct", "38341003", "Hypertension"),
            ClinicalStatus = Concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"),
        };
        var json = new FhirJsonSerializer().SerializeToString(condition).Replace("\"id\":\"cond-x\"", "\"id\":\"cond-x\",\"futureElement\":{\"x\":1},\"_code\":7", StringComparison.Ordinal);
        var bundle = "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[{\"fullUrl\":\"x\",\"search\":{\"mode\":\"match\"},\"resource\":" + json + "}]}";
        var (context, server) = await BuildAsync((t, _) => t == "Condition" ? Results.Text(bundle, "application/fhir+json") : null);
        await using var _ = server;

        Assert.Equal(SectionState.Loaded, Section(context, "Conditions").State);
        Assert.Equal("Hypertension", Assert.Single(context.Conditions).Display);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_failing_next_page_keeps_the_earlier_pages_and_says_the_section_is_incomplete()
    {
        var (context, server) = await BuildAsync((t, page) => t == "Observation" && page >= 1 ? Status(500) : null);
        await using var _ = server;

        var labs = Section(context, "Labs");
        Assert.Equal(SectionState.Failed, labs.State);
        Assert.Contains("only the first 2 observations were loaded", labs.Message, StringComparison.Ordinal);
        Assert.Contains("500", labs.Message, StringComparison.Ordinal);
        Assert.Equal(2, context.Labs.Count); // page 0 kept
        Assert.Equal(SectionState.Loaded, Section(context, "Conditions").State);
        Assert.Equal((SectionState.Loaded, 1), (Section(context, "Vitals").State, context.Vitals.Count)); // its own search, one page
    }

    [Fact]
    public async System.Threading.Tasks.Task A_huge_note_is_cut_at_the_configured_size_and_marked()
    {
        var huge = new DocumentReference
        {
            Id = "note-huge", Status = DocumentReferenceStatus.Current, Subject = PatientRef("p1"), Date = Now.AddHours(-1),
            Description = "Huge note",
            Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "text/plain", Data = Encoding.UTF8.GetBytes(new string('x', 3_000_000)) } }],
        };
        var pdf = new DocumentReference
        {
            Id = "note-pdf", Status = DocumentReferenceStatus.Current, Subject = PatientRef("p1"), Date = Now.AddHours(-2),
            Description = "Scanned letter",
            Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "application/pdf", Data = [1, 2, 3] } }],
        };
        var viaBinary = new DocumentReference
        {
            Id = "note-bin", Status = DocumentReferenceStatus.Current, Subject = PatientRef("p1"), Date = Now.AddHours(-3),
            Description = "Markdown plan",
            Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "text/markdown", Url = "Binary/b1" } }],
        };
        var binary = new Binary { Id = "b1", ContentType = "text/markdown", Data = Encoding.UTF8.GetBytes("# Plan\n- repeat CRP") };
        var (context, server) = await BuildAsync(null, extra: [huge, pdf, viaBinary, binary], pageSize: 50,
            settings: new Dictionary<string, string?> { ["Fhir:MaxNoteCharacters"] = "10000" });
        await using var _ = server;

        var note = context.Notes.Single(n => n.Source.Id == "note-huge");
        Assert.True(note.Truncated);
        Assert.InRange(note.Text.Length, 10_000, 10_100);
        Assert.Contains("truncated at 10,000 characters", note.Text, StringComparison.Ordinal);
        Assert.Equal(["application/pdf"], context.Notes.Single(n => n.Source.Id == "note-pdf").OtherContent);
        Assert.Equal("# Plan\n- repeat CRP", context.Notes.Single(n => n.Source.Id == "note-bin").Text);
        Assert.Equal(SectionState.Loaded, Section(context, "Notes").State);
    }

    [Fact]
    public async System.Threading.Tasks.Task Everything_is_used_when_offered_and_gives_the_same_context_as_searches()
    {
        var (viaSearches, s1) = await BuildAsync(null);
        await using var _1 = s1;
        var (viaEverything, s2) = await BuildAsync(null, server => server.OffersEverything = true);
        await using var _2 = s2;

        Assert.Contains(s2.Requests, r => r.Contains("/$everything", StringComparison.Ordinal));
        Assert.DoesNotContain(s2.Requests, r => r.StartsWith("/fhir/Observation", StringComparison.Ordinal));
        Assert.Equal(viaSearches.Labs.Select(l => l.Source), viaEverything.Labs.Select(l => l.Source));
        Assert.Equal(viaSearches.Medications.Select(l => l.Source), viaEverything.Medications.Select(l => l.Source));
        Assert.Equal(viaSearches.Sections.Select(s => (s.Section, s.Count)), viaEverything.Sections.Select(s => (s.Section, s.Count)));
        Assert.Equal(1, s2.Requests.Count(r => r.StartsWith("/fhir/metadata", StringComparison.Ordinal)));
    }

    [Fact]
    public async System.Threading.Tasks.Task With_everything_known_the_patient_comes_with_the_record_and_an_unknown_patient_is_still_null()
    {
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.OffersEverything = true;
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, pageSize: 2);
        using var scope = host.Services.CreateScope();
        var builder = scope.ServiceProvider.GetRequiredService<PatientContextBuilder>();
        var first = await builder.BuildAsync("p1", Ct); // learns from the CapabilityStatement that $everything is offered
        Assert.NotNull(first);

        while (server.Requests.TryDequeue(out _))
        {
        }

        var second = await builder.BuildAsync("p1", Ct);
        Assert.NotNull(second);
        Assert.Equal(first.Patient, second.Patient);
        Assert.Equal(first.Labs.Select(l => l.Source), second.Labs.Select(l => l.Source));
        Assert.DoesNotContain(server.Requests, r => r.StartsWith("/fhir/Patient/p1?", StringComparison.Ordinal) || r == "/fhir/Patient/p1");
        Assert.Contains(server.Requests, r => r.StartsWith("/fhir/Patient/p1/$everything", StringComparison.Ordinal));

        Assert.Null(await builder.BuildAsync("nobody", Ct));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_failing_everything_falls_back_to_section_searches()
    {
        var (context, server) = await BuildAsync((t, page) => t == "everything" && page >= 1 ? Status(500) : null, server => server.OffersEverything = true);
        await using var _ = server;

        Assert.DoesNotContain(context.Sections, s => s.State == SectionState.Failed);
        Assert.Contains(server.Requests, r => r.StartsWith("/fhir/Observation?", StringComparison.Ordinal));
        Assert.Equal(4, context.Labs.Count);
    }

    [Fact]
    public async System.Threading.Tasks.Task A_server_that_ignores_count_is_still_read_completely_and_capped_by_resource_count()
    {
        var (context, server) = await BuildAsync(null, server => server.ForcedPageSize = 2, pageSize: 100,
            settings: new Dictionary<string, string?> { ["Fhir:MaxResourcesPerType"] = "3" });
        await using var _ = server;

        // 5 laboratory observations in pages of 2 although 3 were asked for: the cap of 3 stops the load and says so.
        Assert.Equal(3, context.Labs.Count);
        var labs = Section(context, "Labs");
        Assert.Equal(SectionState.Capped, labs.State);
        Assert.Contains("showing 3 of 5 observations", labs.Message, StringComparison.Ordinal);
        // A dated search capped in one page is sorted newest first by the server (the section table's sort); an undated one is not.
        Assert.All(server.Requests.Where(r => r.StartsWith("/fhir/Observation?", StringComparison.Ordinal)), r => Assert.Contains("_sort=-date", r, StringComparison.Ordinal));
        Assert.DoesNotContain(server.Requests, r => r.StartsWith("/fhir/Condition?", StringComparison.Ordinal) && r.Contains("_sort", StringComparison.Ordinal));
    }

    [Fact]
    public async System.Threading.Tasks.Task Every_section_reports_its_progress_and_a_failed_one_says_so()
    {
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.Fault = (t, _) => t == "Procedure" ? Status(502) : null;
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, maxRetries: 0);
        using var scope = host.Services.CreateScope();
        var reported = new System.Collections.Concurrent.ConcurrentQueue<SectionStatus>();

        var context = await scope.ServiceProvider.GetRequiredService<PatientContextBuilder>()
            .BuildAsync("p1", new SyncProgress(reported.Enqueue), Ct);

        Assert.NotNull(context);
        Assert.Equal(ContextSections.Keys.Order(), reported.Select(r => r.Section).Order());
        Assert.Equal(SectionState.Failed, reported.Single(r => r.Section == "Procedures").State);
        Assert.All(reported.Where(r => r.Section != "Procedures"), r => Assert.NotEqual(SectionState.Failed, r.State));
    }

    [Fact]
    public async System.Threading.Tasks.Task References_by_search_and_unresolvable_references_do_not_break_the_record()
    {
        var condition = new Condition
        {
            Id = "cond-search-ref", Subject = PatientRef("p1"),
            Code = Concept("http://snomed.info/sct", "44054006", "Diabetes"),
            ClinicalStatus = Concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"),
            Asserter = new ResourceReference("Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999999999"),
            Encounter = new ResourceReference("Encounter?identifier=urn:x|visit-1"),
        };
        var request = new MedicationRequest
        {
            Id = "mr-search-ref", Subject = PatientRef("p1"), Status = MedicationRequest.MedicationrequestStatus.Active,
            Intent = MedicationRequest.MedicationRequestIntent.Order,
            Medication = new ResourceReference("Medication?code=http://www.nlm.nih.gov/research/umls/rxnorm|860975") { Display = "Metformin 500 mg" },
        };
        var (context, server) = await BuildAsync(null, extra: [condition, request], pageSize: 50);
        await using var _ = server;

        Assert.Contains(context.Conditions, c => c.Display == "Diabetes");
        Assert.Contains(context.Medications, m => m.Display == "Metformin 500 mg");
        Assert.DoesNotContain(context.Sections, s => s.State == SectionState.Failed);
        Assert.DoesNotContain(server.Requests, r => r.Contains("Practitioner", StringComparison.Ordinal));
    }

    private sealed class SyncProgress(Action<SectionStatus> report) : IProgress<SectionStatus>
    {
        public void Report(SectionStatus value) => report(value);
    }

    private sealed class RetryAfterResult(int seconds) : IResult
    {
        public async System.Threading.Tasks.Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            httpContext.Response.ContentType = "application/fhir+json";
            await httpContext.Response.WriteAsync("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"throttled\"}]}");
        }
    }
}

using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

public sealed class ServerRecordSourceTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    internal static IHost Host(Uri baseUrl, int pageSize = 2, int maxPages = 50, int timeoutSeconds = 30, string? token = "test-token",
        int maxRetries = 1, IDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Fhir:Source"] = "Server",
            ["Fhir:ServerBaseUrl"] = baseUrl.ToString(),
            ["Fhir:BearerToken"] = token,
            ["Fhir:PageSize"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fhir:MaxPages"] = maxPages.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fhir:TimeoutSeconds"] = timeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fhir:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Fhir:RetryBaseDelayMilliseconds"] = "10",
        });
        if (extra is not null)
        {
            builder.Configuration.AddInMemoryCollection(extra);
        }

        builder.Services.AddSingleton<TimeProvider>(new FixedDateTimeProvider(Now)); // real sockets: timeouts must fire
        services?.Invoke(builder.Services);
        builder.AddPatientContext();
        return builder.Build();
    }

    [Fact]
    public async System.Threading.Tasks.Task Record_follows_next_links_and_a_failing_type_fails_only_its_section()
    {
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources, failingTypes: new HashSet<string> { "Condition" });
        using var host = Host(server.BaseUrl);
        var source = host.Services.GetRequiredService<IPatientRecordSource>();
        using var scope = host.Services.CreateScope();
        var builder = scope.ServiceProvider.GetRequiredService<PatientContextBuilder>();

        var context = await builder.BuildAsync("p1", Ct);

        Assert.IsType<ServerRecordSource>(source);
        Assert.NotNull(context);
        var conditions = context.Sections.Single(s => s.Section == "Conditions");
        Assert.Equal(SectionState.Failed, conditions.State);
        Assert.Contains("500", conditions.Message);
        Assert.DoesNotContain("p1", conditions.Message);
        Assert.Empty(context.Conditions);
        Assert.All(context.Sections.Where(s => s.Section is "Encounter" or "Medications" or "Allergies" or "Labs" or "Vitals" or "Notes"),
            s => Assert.Equal(SectionState.Loaded, s.State));
        Assert.DoesNotContain(context.Sections, s => s.Section != "Conditions" && s.State == SectionState.Failed);

        // At _count=2: labs and vitals by their categories (4 requests), and the search without a category for other
        // observations (7 observations for p1 → 4 pages); all of this patient's labs and vitals arrived.
        Assert.Equal(4, server.Requests.Count(r => r.StartsWith("/fhir/Observation", StringComparison.Ordinal) && r.Contains("category=", StringComparison.Ordinal)));
        Assert.Equal(4, server.Requests.Count(r => r.StartsWith("/fhir/Observation", StringComparison.Ordinal) && !r.Contains("category=", StringComparison.Ordinal)));
        Assert.Equal(["obs-hb", "obs-k", "obs-na", "obs-crp-old"], context.Labs.Select(l => l.Source.Id));
        Assert.Equal("150/95 mm[Hg]", Assert.Single(context.Vitals).FormattedValue);
        Assert.Equal(3, context.Medications.Count); // the statement's Medication came from the server too
        Assert.Equal("Ward 7B, Bed 12", context.Encounter?.Location);
        Assert.All(server.Authorizations, a => Assert.Equal("Bearer test-token", a));
        Assert.Contains(server.Requests, r => r.StartsWith("/fhir/MedicationRequest?", StringComparison.Ordinal) && r.Contains("_count=2", StringComparison.Ordinal));
    }

    [Fact]
    public async System.Threading.Tasks.Task Stopping_at_the_page_limit_marks_the_section_incomplete()
    {
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        using var host = Host(server.BaseUrl, pageSize: 1, maxPages: 2);
        var source = host.Services.GetRequiredService<IPatientRecordSource>();

        var record = await source.GetRecordAsync("p1", Ct);

        Assert.NotNull(record);
        // 5 laboratory observations, 1 vital sign, pages of 1, at most 2 pages per search.
        Assert.Equal(3, record.Resources.OfType<Observation>().Count());
        Assert.Contains(record.Failures, f => f.Section == "Labs" && f.State == SectionState.Capped && f.Message!.Contains("showing 2 of 5 observations", StringComparison.Ordinal));
        Assert.DoesNotContain(record.Failures, f => f.Section == "Vitals");
    }

    [Fact]
    public async System.Threading.Tasks.Task A_type_that_times_out_fails_its_section_and_the_rest_loads()
    {
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources, slowTypes: new HashSet<string> { "DocumentReference" });
        using var host = Host(server.BaseUrl, pageSize: 50, timeoutSeconds: 1, maxRetries: 0);
        var source = host.Services.GetRequiredService<IPatientRecordSource>();

        var record = await source.GetRecordAsync("p1", Ct);

        Assert.NotNull(record);
        var failure = Assert.Single(record.Failures);
        Assert.Equal("Notes", failure.Section);
        Assert.Contains("did not answer within 1 s", failure.Message, StringComparison.Ordinal);
        Assert.NotEmpty(record.Resources.OfType<Condition>());
    }

    [Fact]
    public async System.Threading.Tasks.Task Unknown_patient_gives_null_and_search_finds_by_name_or_identifier()
    {
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        using var host = Host(server.BaseUrl);
        var source = host.Services.GetRequiredService<IPatientRecordSource>();

        Assert.Null(await source.GetRecordAsync("nobody", Ct));
        Assert.Null(await source.GetRecordAsync("bad/../id", Ct));
        var byName = Assert.Single(await source.SearchPatientsAsync("lovelace", Ct));
        var byMrn = Assert.Single(await source.SearchPatientsAsync("MRN-0042", Ct));
        Assert.Empty(await source.SearchPatientsAsync("Nobody", Ct));

        Assert.Equal("Ada M. Lovelace", byName.DisplayName);
        Assert.Equal("Ward 7B, Bed 12", byName.Location); // from the one batched in-progress Encounter search
        Assert.Equal("p1", byMrn.Id);
        Assert.DoesNotContain(server.Requests, r => r.Contains("bad", StringComparison.Ordinal));
    }
}

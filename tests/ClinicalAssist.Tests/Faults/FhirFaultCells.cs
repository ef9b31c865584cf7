using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Context;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Patients;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Faults;

/// <summary>
/// Fault matrix, FHIR server row: the clinician opens the patient's chart (PatientChart with ChartSections and the
/// DraftPanel, bUnit) while the loopback fake FHIR server misbehaves in one place. For each: the failed section
/// says why in words, the chart view is audited, and the rest of the chart and the sign-off made earlier are shown.
/// </summary>
public sealed class FhirFaultCells
{
    public static readonly IReadOnlyList<string> Faults =
    [
        "401", "403", "404", "410", "429", "500", "timeout", "malformed JSON", "unknown elements", "failing next page", "references that do not resolve",
        "401 on the patient read",
    ];

    public static TheoryData<string> Cells => [.. Faults];

    /// <summary>Where the fault is injected, the section that shows it, and the words the clinician must see.</summary>
    private static (string? Type, string? Section, string Expected) Plan(string fault) => fault switch
    {
        "401" => ("Condition", "Conditions", "did not accept our credentials (401)"),
        "403" => ("AllergyIntolerance", "Allergies", "refused access (403)"),
        "404" => ("DocumentReference", "Clinical notes", "does not offer this search (404)"),
        "410" => ("Procedure", "Procedures", "this data is gone (410)"),
        "429" => ("Immunization", "Immunizations", "rate-limiting requests (429)"),
        "500" => ("MedicationRequest", "Medications", "server returned 500"),
        "timeout" => ("DiagnosticReport", "Diagnostic reports", "did not answer within 3 s"),
        "malformed JSON" => ("CarePlan", "Care plans and goals", "could not be read (malformed FHIR JSON)"),
        "unknown elements" => ("Condition", null, "Futurism"),
        "failing next page" => ("Observation", "Labs", "only the first 2 observations were loaded"),
        "references that do not resolve" => (null, null, "Unknown medication (reference Medication/gone did not resolve)"),
        "401 on the patient read" => ("Patient", null, "The chart could not be loaded from Server: The patient could not be loaded: the FHIR server did not accept our credentials (401)."),
        _ => throw new ArgumentOutOfRangeException(nameof(fault)),
    };

    [Theory]
    [MemberData(nameof(Cells))]
    public System.Threading.Tasks.Task FHIR_server(string fault) => FaultCell.RunAsync("FHIR server", fault, async cell =>
    {
        var (type, section, expected) = Plan(fault);
        await using var database = await FaultHarness.DatabaseAsync();
        var (earlierId, earlierSigned) = await FaultHarness.SignedDraftAsync(database, FaultHarness.DemoContext());

        var (patient, resources) = DemoLikePatient();
        if (fault == "references that do not resolve")
        {
            resources.Add(new MedicationRequest
            {
                Id = "med-gone", Status = MedicationRequest.MedicationrequestStatus.Active, Intent = MedicationRequest.MedicationRequestIntent.Order,
                Subject = PatientRef("p1"), Medication = new ResourceReference("Medication/gone"), AuthoredOnElement = new FhirDateTime(Now.AddHours(-5)),
                Encounter = new ResourceReference("Encounter/missing"), Requester = new ResourceReference("Practitioner/missing"),
            });
        }
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.Fault = (t, page) => t != type ? null : fault switch
        {
            "401 on the patient read" => FakeFhirServer.Fhir(Outcome(), 401),
            "401" or "403" or "404" or "410" or "500" => FakeFhirServer.Fhir(Outcome(), int.Parse(fault, System.Globalization.CultureInfo.InvariantCulture)),
            "429" => new RetryAfter(0),
            "timeout" => new Stall(TimeSpan.FromSeconds(30)),
            "malformed JSON" => Results.Text("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[{\"resource\":{\"resourceType\":\"CarePlan\",", "application/fhir+json"),
            "unknown elements" => Results.Text(ConditionWithUnknownElements(), "application/fhir+json"),
            "failing next page" => page >= 1 ? FakeFhirServer.Fhir(Outcome(), 500) : null,
            _ => null,
        };
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, pageSize: 2, maxRetries: fault == "429" ? 1 : 0, timeoutSeconds: fault == "timeout" ? 3 : 30);
        using var scope = host.Services.CreateScope();
        var source = scope.ServiceProvider.GetRequiredService<IPatientRecordSource>();
        var builder = scope.ServiceProvider.GetRequiredService<PatientContextBuilder>();

        await using var ui = new FaultHarness(database, FaultHarness.Clinician, Roles.Clinician, source: source, contextBuilder: builder);
        var chart = ui.Render<PatientChart>(p => p.Add(x => x.PatientId, "p1"));
        if (type == "Patient")
        {
            // The whole chart depends on the patient: it says so, offers to try again, and records the failed view.
            chart.WaitForAssertion(() => chart.Find("[data-testid=chart-error]"), Patience.Long);
            var error = chart.Find("[data-testid=chart-error]").TextContent.Trim();
            cell.Message(() => error, () =>
            {
                Assert.StartsWith(expected, error, StringComparison.Ordinal);
                Assert.Contains("Nothing was changed. Try again in a moment.", error, StringComparison.Ordinal);
                Assert.DoesNotContain("p1", error, StringComparison.Ordinal);
                Assert.Contains("Try again", chart.Find("[data-testid=chart-error] button").TextContent, StringComparison.Ordinal);
            });
            cell.State("chart.viewed audited with outcome failure; no draft created or changed", () =>
            {
                using var db = database.CreateDbContext();
                Assert.Equal("failure", Assert.Single(db.AuditEvents.Where(a => a.Action == AuditActions.ChartViewed && a.PatientId == "p1").ToList()).Outcome);
                Assert.Equal(1, db.Drafts.Count());
            });
            cell.Kept("earlier sign-off unchanged; Try again loads the chart with it once the server answers", () =>
            {
                var earlier = FaultHarness.LoadAsync(database, earlierId).GetAwaiter().GetResult();
                Assert.Equal((DraftStatus.Signed, earlierSigned), (earlier.Status, earlier.SignedText));
                server.Fault = null;
                chart.InvokeAsync(() => chart.Find("[data-testid=chart-error] button").Click()).GetAwaiter().GetResult();
                chart.WaitForAssertion(() => Assert.Equal("Signed", chart.Find("[data-testid=draft-status]").TextContent.Trim()), Patience.Long);
            });
            return;
        }
        chart.WaitForAssertion(() => chart.Find("[data-testid=patient-name]"), Patience.Long);
        chart.WaitForAssertion(() => Assert.Equal("Signed", chart.Find("[data-testid=draft-status]").TextContent.Trim()), Patience.Medium);

        var alerts = chart.FindAll("[data-testid=section-failed]").Select(a => a.TextContent.Trim()).ToList();
        if (section is not null)
        {
            var own = alerts.Where(a => a.StartsWith(section + " could not be loaded completely", StringComparison.Ordinal)).ToList();
            cell.Message(() => string.Join(" / ", alerts), () =>
            {
                var alert = Assert.Single(own);
                // Only the faulted type's sections say they failed (the fault hits every Observation search: labs,
                // vitals and other observations each page).
                Assert.All(alerts.Except(own), a => Assert.True(type == "Observation" && (a.StartsWith("Vitals", StringComparison.Ordinal) || a.StartsWith("Other observations", StringComparison.Ordinal)), a));
                Assert.StartsWith(section + " could not be loaded completely", alert, StringComparison.Ordinal);
                Assert.Contains(expected, alert, StringComparison.Ordinal);
                Assert.DoesNotContain("p1", alert, StringComparison.Ordinal);
                if (type == "AllergyIntolerance") Assert.Equal("Allergies unknown", chart.Find("[data-testid=allergy-badge]").TextContent.Trim());
            });
        }
        else
        {
            var rows = chart.FindAll("[data-testid=problem], [data-testid=medication]").Select(r => r.TextContent.Trim()).ToList();
            cell.Message(() => "no error needed: " + (rows.FirstOrDefault(r => r.Contains(expected, StringComparison.Ordinal)) ?? "(row missing)"), () =>
            {
                Assert.Empty(alerts);
                Assert.Contains(rows, r => r.Contains(expected, StringComparison.Ordinal));
            });
        }

        cell.State("chart.viewed audited (success); no draft created or changed", () =>
        {
            using var db = database.CreateDbContext();
            var viewed = db.AuditEvents.Where(a => a.Action == AuditActions.ChartViewed && a.PatientId == "p1").ToList();
            Assert.Equal("success", Assert.Single(viewed).Outcome);
            Assert.Equal(1, db.Drafts.Count());
        });

        cell.Kept("earlier sign-off shown and unchanged; other sections shown" + (fault == "failing next page" ? "; the first page of labs shown" : ""), () =>
        {
            Assert.Contains("Signed by " + FaultHarness.Clinician.Name, chart.Find("[data-testid=decision-info]").TextContent, StringComparison.Ordinal);
            var earlier = FaultHarness.LoadAsync(database, earlierId).GetAwaiter().GetResult();
            Assert.Equal((DraftStatus.Signed, earlierSigned), (earlier.Status, earlier.SignedText));
            Assert.NotEmpty(chart.FindAll("[data-testid=allergy]").Concat(chart.FindAll("[data-testid=problem]")));
            if (type != "MedicationRequest") Assert.NotEmpty(chart.FindAll("[data-testid=medication]"));
            if (type != "Condition") Assert.Contains(chart.FindAll("[data-testid=problem]"), p => p.TextContent.Contains("pneumonia", StringComparison.Ordinal));
            if (fault == "failing next page") Assert.NotEmpty(chart.FindAll("[data-testid=labs] tbody tr").Concat(chart.FindAll("[data-testid=vitals] tbody tr")));
        });
    });

    private static OperationOutcome Outcome() => new()
    {
        Issue = [new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = OperationOutcome.IssueType.Exception, Diagnostics = "p1 internal detail" }],
    };

    private static string ConditionWithUnknownElements()
    {
        var condition = new Condition
        {
            Id = "cond-future", Subject = PatientRef("p1"),
            Code = Concept("http://snomed.info/sct", "38341003", "Futurism-associated hypertension"),
            ClinicalStatus = Concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"),
        };
        var json = new FhirJsonSerializer().SerializeToString(condition)
            .Replace("\"id\":\"cond-future\"", "\"id\":\"cond-future\",\"futureElement\":{\"x\":1},\"_code\":7", StringComparison.Ordinal);
        return "{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"entry\":[{\"fullUrl\":\"x\",\"search\":{\"mode\":\"match\"},\"resource\":" + json + "}]}";
    }

    private sealed class RetryAfter(int seconds) : IResult
    {
        public async System.Threading.Tasks.Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            httpContext.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            httpContext.Response.ContentType = "application/fhir+json";
            await httpContext.Response.WriteAsync("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"error\",\"code\":\"throttled\"}]}");
        }
    }

    private sealed class Stall(TimeSpan delay) : IResult
    {
        public async System.Threading.Tasks.Task ExecuteAsync(HttpContext httpContext)
        {
            try { await System.Threading.Tasks.Task.Delay(delay, httpContext.RequestAborted); }
            catch (OperationCanceledException) { return; }
            httpContext.Response.StatusCode = 504;
        }
    }
}

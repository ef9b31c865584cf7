using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>The FHIR client's circuit breaker: a server failing most requests is left alone for a while (no request
/// reaches it) and the chart says so per section, instead of every clinician's page hammering it with retries.</summary>
public sealed class ServerCircuitBreakerTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async System.Threading.Tasks.Task A_server_failing_most_searches_opens_the_circuit_and_is_not_called_again()
    {
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        server.Fault = (type, _) => type is "Patient" or "metadata" ? null : Results.StatusCode(503);
        // No retries: every failing search is one sampled failure (the breaker needs 20 calls, half of them failing).
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, pageSize: 50, maxRetries: 0);

        async Task<(PatientContext? Context, Exception? Error)> BuildAsync()
        {
            using var scope = host.Services.CreateScope();
            try
            {
                return (await scope.ServiceProvider.GetRequiredService<PatientContextBuilder>().BuildAsync("p1", Ct), null);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return (null, ex);
            }
        }

        static bool SaysOpen(PatientContext? context, Exception? error) =>
            error?.Message.Contains("failing repeatedly", StringComparison.Ordinal) == true
            || context?.Sections.Any(s => s.Message?.Contains("failing repeatedly", StringComparison.Ordinal) == true) == true;

        // Failing searches accumulate until the breaker opens (it needs at least 20 sampled calls); until then each
        // chart is degraded (failed sections), never an error page.
        var builds = 0;
        var opened = false;
        while (!opened && builds < 10)
        {
            var (context, buildError) = await BuildAsync();
            builds++;
            if (SaysOpen(context, buildError))
            {
                opened = true;
                break;
            }
            Assert.True(context is not null, $"build {builds} after {server.Requests.Count} requests: {buildError}");
            Assert.Contains(context.Sections, s => s.State == SectionState.Failed);
        }
        Assert.True(opened, $"the circuit did not open after {builds} builds and {server.Requests.Count} requests");
        Assert.True(server.Requests.Count >= 20, $"opened after only {server.Requests.Count} requests");

        // Open: the next chart is built without a single request reaching the failing server, and says why.
        var before = server.Requests.Count;
        var (opened2, error) = await BuildAsync();
        Assert.Equal(before, server.Requests.Count);
        if (opened2 is not null)
        {
            var failed = opened2.Sections.Where(s => s.State == SectionState.Failed).ToList();
            Assert.NotEmpty(failed);
            Assert.All(failed, s => Assert.Contains("failing repeatedly", s.Message, StringComparison.Ordinal));
        }
        else
        {
            Assert.NotNull(error);
            Assert.Contains("failing repeatedly", error.Message, StringComparison.Ordinal);
        }

        // Still open once the server has recovered: the break lasts its configured duration (15 s), so recovery is
        // not hammered either.
        server.Fault = null;
        var (stillOpen, _) = await BuildAsync();
        Assert.Equal(before, server.Requests.Count);
        Assert.True(stillOpen is null || stillOpen.Sections.Any(s => s.State == SectionState.Failed));
    }
}

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

        // Failing searches accumulate until the breaker opens (it needs at least 20 sampled calls).
        var builds = 0;
        while (server.Requests.Count < 24 && builds < 10)
        {
            var (context, _) = await BuildAsync();
            builds++;
            Assert.NotNull(context); // the searches fail, the patient loads: a degraded chart, not an error page
            Assert.Contains(context.Sections, s => s.State == SectionState.Failed);
        }
        Assert.True(server.Requests.Count >= 20, $"only {server.Requests.Count} requests reached the server in {builds} builds");

        // Open: the next chart is built without a single request reaching the failing server, and says why.
        var before = server.Requests.Count;
        var (opened, error) = await BuildAsync();
        Assert.Equal(before, server.Requests.Count);
        if (opened is not null)
        {
            var failed = opened.Sections.Where(s => s.State == SectionState.Failed).ToList();
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

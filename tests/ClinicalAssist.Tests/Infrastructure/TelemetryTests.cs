using Microsoft.EntityFrameworkCore;
using ClinicalAssist.Tests.Support;
using System.Diagnostics;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Drafting;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace ClinicalAssist.Tests.Infrastructure;

/// <summary>OpenTelemetry through the real composition root, exported to memory: request, HTTP client and EF Core
/// spans, and the ClinicalAssist meter's draft counter, latency histograms and warnings.</summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("clinicalassist-otel-").FullName;

    public void Dispose() => AppFactory.DeleteDirectory(_data);

    [Fact]
    public async Task Requests_database_calls_and_drafts_are_traced_and_measured()
    {
        var activities = new List<Activity>();
        var metrics = new List<Metric>();
        await using var factory = AppFactory.Create(_data, services: s =>
        {
            s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(activities));
            s.ConfigureOpenTelemetryMeterProvider(m => m.AddInMemoryExporter(metrics));
        });
        using var client = factory.CreateClient();
        Assert.True((await client.GetAsync("/Account/Login", TestContext.Current.CancellationToken)).IsSuccessStatusCode);

        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(TestContext.Current.CancellationToken))
        {
            await TestStaff.SeedAsync(db, TestContext.Current.CancellationToken);
        }
        var generator = factory.Services.GetRequiredService<DraftGenerator>();
        var id = await generator.GenerateAsync(DraftingTestData.Context(), "Demo", new Actor("u-otel", "Dr Otel"), _ => Task.CompletedTask, TestContext.Current.CancellationToken);
        Assert.NotEqual(Guid.Empty, id);

        factory.Services.GetRequiredService<TracerProvider>().ForceFlush();
        factory.Services.GetRequiredService<MeterProvider>().ForceFlush();

        // The exporter adds activities from the app's background work while we read: assert on a copy (ToArray does
        // not enumerate, so a concurrent Add cannot break it).
        var exported = activities.ToArray().Where(a => a is not null).ToList();
        Assert.Contains(exported, a => a.Kind == ActivityKind.Server && (a.GetTagItem("http.route") as string) == "/Account/Login");
        Assert.Contains(exported, a => a.Source.Name.Contains("EntityFrameworkCore", StringComparison.Ordinal) && a.Kind == ActivityKind.Client);
        Assert.DoesNotContain(exported, a => (a.GetTagItem("url.path") as string)?.StartsWith("/health", StringComparison.Ordinal) == true);

        var drafts = metrics.Where(m => m.Name == "clinicalassist.drafts").ToList();
        Assert.NotEmpty(drafts);
        var outcomes = new List<string>();
        foreach (var metric in drafts)
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                foreach (var tag in point.Tags)
                {
                    if (tag.Key == "draft.outcome") outcomes.Add((string)tag.Value!);
                    Assert.DoesNotContain(tag.Key, new[] { "patient.id", "user.id", "draft.id" });
                }
            }
        }
        Assert.Contains(nameof(DraftStatus.Draft), outcomes);
        Assert.Contains(metrics, m => m.Name == "clinicalassist.draft.duration" && m.MetricType == MetricType.Histogram);
        Assert.Contains(metrics, m => m.Name == "clinicalassist.draft.time_to_first_token");
        Assert.Contains(metrics, m => m.Name == "http.server.request.duration");
    }

    [Fact]
    public async Task Warnings_and_tokens_are_counted_by_kind()
    {
        var metrics = new List<Metric>();
        using var provider = Sdk.CreateMeterProviderBuilder().AddMeter(ClinicalAssistTelemetry.Name).AddInMemoryExporter(metrics).Build();
        ClinicalAssistTelemetry.RecordDraft("Draft", "Test drafter", "test-model-otel", 1500, 200, ["uncited", "uncited", "unknown-citation"], inputTokens: 1200, outputTokens: 300);
        provider.ForceFlush(); // one export: cumulative sums since this provider started
        long Sum(string name, string key, string value)
        {
            long total = 0;
            foreach (var metric in metrics.Where(m => m.Name == name))
            {
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    var match = false;
                    var model = false;
                    foreach (var tag in point.Tags)
                    {
                        if (tag.Key == key && (string)tag.Value! == value) match = true;
                        if (tag.Key == "model.id" && (string)tag.Value! == "test-model-otel") model = true;
                    }
                    if (match && model) total += point.GetSumLong();
                }
            }
            return total;
        }
        Assert.Equal(2, Sum("clinicalassist.draft.verification_warnings", "warning.kind", "uncited"));
        Assert.Equal(1, Sum("clinicalassist.draft.verification_warnings", "warning.kind", "unknown-citation"));
        Assert.Equal(1200, Sum("clinicalassist.model.tokens", "token.type", "input"));
        Assert.Equal(300, Sum("clinicalassist.model.tokens", "token.type", "output"));
        await Task.CompletedTask;
    }

    [Fact]
    public async Task OTLP_and_Azure_Monitor_exporters_are_configuration_only_and_start()
    {
        await using var factory = AppFactory.Create(_data, new Dictionary<string, string?>
        {
            ["OpenTelemetry:OtlpEndpoint"] = "http://127.0.0.1:4317",
            ["AzureMonitor:ConnectionString"] = "InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=http://127.0.0.1:9/",
        });
        using var client = factory.CreateClient();
        Assert.True((await client.GetAsync("/health/live", TestContext.Current.CancellationToken)).IsSuccessStatusCode);
        Assert.NotNull(factory.Services.GetService<TracerProvider>());
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using Azure.Monitor.OpenTelemetry.AspNetCore;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// The product's own metrics and traces (Meter and ActivitySource "ClinicalAssist"). Instruments carry only
/// low-cardinality, non-identifying tags (drafter, model id, outcome, warning kind): never a patient, user or draft id.
/// </summary>
public static class ClinicalAssistTelemetry
{
    public const string Name = "ClinicalAssist";

    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>Drafts that finished, by outcome (draft, failed, stopped) and drafter.</summary>
    public static readonly Counter<long> Drafts = Meter.CreateCounter<long>("clinicalassist.drafts", "{draft}", "Drafts generated, by outcome.");

    /// <summary>Time from "Generate" to the last token.</summary>
    public static readonly Histogram<double> DraftDuration = Meter.CreateHistogram<double>("clinicalassist.draft.duration", "s", "Time to generate a draft.");

    /// <summary>Time from "Generate" to the first streamed text.</summary>
    public static readonly Histogram<double> TimeToFirstToken = Meter.CreateHistogram<double>("clinicalassist.draft.time_to_first_token", "s", "Time to the first streamed text of a draft.");

    /// <summary>Model tokens, tagged token.type = input | output.</summary>
    public static readonly Counter<long> Tokens = Meter.CreateCounter<long>("clinicalassist.model.tokens", "{token}", "Tokens sent to and received from the drafting model.");

    /// <summary>Verification warnings on drafts, tagged warning.kind (unknown-citation, uncited, prompt-injection).</summary>
    public static readonly Counter<long> VerificationWarnings = Meter.CreateCounter<long>("clinicalassist.draft.verification_warnings", "{warning}", "Verification warnings raised on drafts.");

    /// <summary>Records one finished draft. Durations in milliseconds as stored on the draft; warning kinds as raised.</summary>
    public static void RecordDraft(string outcome, string drafter, string modelId, int? durationMs, int? timeToFirstTokenMs,
        IEnumerable<string> warningKinds, int? inputTokens = null, int? outputTokens = null)
    {
        var tags = new TagList { { "draft.outcome", outcome }, { "draft.drafter", drafter }, { "model.id", modelId } };
        Drafts.Add(1, tags);
        var modelTags = new TagList { { "draft.drafter", drafter }, { "model.id", modelId } };
        if (durationMs is { } d) DraftDuration.Record(d / 1000.0, modelTags);
        if (timeToFirstTokenMs is { } t) TimeToFirstToken.Record(t / 1000.0, modelTags);
        foreach (var kind in warningKinds)
        {
            VerificationWarnings.Add(1, new TagList { { "warning.kind", kind }, { "model.id", modelId } });
        }
        if (inputTokens is { } input) Tokens.Add(input, new TagList { { "token.type", "input" }, { "model.id", modelId } });
        if (outputTokens is { } output) Tokens.Add(output, new TagList { { "token.type", "output" }, { "model.id", modelId } });
    }

    /// <summary>
    /// OpenTelemetry traces (ASP.NET Core, HttpClient, EF Core, this app) and metrics (ASP.NET Core, HttpClient, this
    /// app). Exporters by configuration only: OTLP when <c>OpenTelemetry:OtlpEndpoint</c> (or the standard
    /// OTEL_EXPORTER_OTLP_ENDPOINT) is set; Azure Monitor when <c>AzureMonitor:ConnectionString</c> (or
    /// APPLICATIONINSIGHTS_CONNECTION_STRING) is set. With neither, nothing leaves the process.
    /// </summary>
    public static IHostApplicationBuilder AddClinicalAssistTelemetry(this IHostApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var otlpEndpoint = config["OpenTelemetry:OtlpEndpoint"] ?? config["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var azureMonitor = config["AzureMonitor:ConnectionString"] ?? config["APPLICATIONINSIGHTS_CONNECTION_STRING"];

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(config["OpenTelemetry:ServiceName"] ?? Name))
            .WithTracing(tracing => tracing
                .AddSource(Name)
                // The model pipeline's GenAI spans (gen_ai.* semantic conventions; no prompt or answer text by default).
                .AddSource(Features.Drafting.DraftModelFactory.TelemetrySourceName)
                .AddAspNetCoreInstrumentation(o =>
                {
                    // Probes every few seconds are noise; static files too.
                    o.Filter = http => !http.Request.Path.StartsWithSegments("/health") && !http.Request.Path.StartsWithSegments("/_content") && !http.Request.Path.StartsWithSegments("/_framework");
                })
                .AddHttpClientInstrumentation()
                // Statements are parameterised: spans carry SQL shape, never values.
                .AddEntityFrameworkCoreInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(Name)
                .AddMeter(Features.Drafting.DraftModelFactory.TelemetrySourceName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation());

        if (!string.IsNullOrWhiteSpace(azureMonitor))
        {
            otel.UseAzureMonitor(o => o.ConnectionString = azureMonitor);
        }
        if (!string.IsNullOrWhiteSpace(otlpEndpoint))
        {
            otel.UseOtlpExporter(OpenTelemetry.Exporter.OtlpExportProtocol.Grpc, new Uri(otlpEndpoint));
        }
        return builder;
    }
}

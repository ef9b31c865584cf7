using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Infrastructure;

public static class HealthAndLimitsExtensions
{
    private const string Blocking = "blocking";

    /// <summary>/health/live (the process answers) and /health/ready (the database answers; the FHIR source and the
    /// model are reported but never make the app unready), plus rate limiting of sign-in posts.</summary>
    public static IHostApplicationBuilder AddHealthAndLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Blocking])
            .AddCheck<FhirSourceHealthCheck>("fhir")
            .AddCheck<ModelHealthCheck>("model");

        builder.Services.AddOptions<SignInRateLimitOptions>().BindConfiguration(SignInRateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await context.HttpContext.Response.WriteAsync("Too many sign-in attempts from this address. Wait a minute and try again.", ct);
            };
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Path.StartsWithSegments("/Account/Login", StringComparison.OrdinalIgnoreCase))
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }
                var permits = http.RequestServices.GetRequiredService<IOptions<SignInRateLimitOptions>>().Value.PermitsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
        });
        return builder;
    }

    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            // Non-blocking checks report Degraded at worst, which still answers 200.
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteJsonAsync,
        });
        return app;
    }

    /// <summary>Status per check, without exception details (no internals to an unauthenticated caller).</summary>
    private static Task WriteJsonAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(http.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                blocking = e.Value.Tags.Contains(Blocking),
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        }, cancellationToken: http.RequestAborted);
    }

    private sealed class DatabaseHealthCheck(IDbContextFactory<AppDbContext> dbFactory) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync(ct);
                return await db.Database.CanConnectAsync(ct)
                    ? HealthCheckResult.Healthy("The database answers.")
                    : HealthCheckResult.Unhealthy("The database does not answer.");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("The database does not answer.");
            }
        }
    }

    /// <summary>Reports whether the FHIR server answers its CapabilityStatement (Server source); never blocking.</summary>
    private sealed class FhirSourceHealthCheck(IOptions<FhirOptions> options, IHttpClientFactory clients) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            var fhir = options.Value;
            if (fhir.Source != FhirSourceKind.Server)
            {
                return HealthCheckResult.Healthy($"{fhir.Source} record source (embedded).");
            }
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                var client = clients.CreateClient(ServerRecordSource.HttpClientName);
                using var response = await client.GetAsync(new Uri(fhir.ServerBaseUrl!.TrimEnd('/') + "/metadata"), timeout.Token);
                return response.IsSuccessStatusCode
                    ? HealthCheckResult.Healthy("The FHIR server answers.")
                    : HealthCheckResult.Degraded(string.Create(CultureInfo.InvariantCulture, $"The FHIR server answered {(int)response.StatusCode}."));
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
            {
                return HealthCheckResult.Degraded("The FHIR server does not answer.");
            }
        }
    }

    /// <summary>Reports the active model configuration (the one new drafts use) and whether it can draft. The endpoint
    /// is not called (a call costs tokens); "Test connection" in Admin › Model configurations does that on demand.</summary>
    private sealed class ModelHealthCheck(ModelConfigurationService configurations) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                var active = await configurations.GetActiveAsync(ct);
                var problems = configurations.Validate(active);
                var what = active.Provider == ModelProvider.Offline
                    ? $"{active.Name}: {OfflineDrafter.OfflineDisplayName}"
                    : $"{active.Name}: {active.Deployment} (not probed)";
                return problems.Count == 0
                    ? HealthCheckResult.Healthy(what + ".")
                    : HealthCheckResult.Degraded($"{what} cannot draft: {string.Join(" ", problems)}");
            }
            catch (InvalidOperationException ex)
            {
                return HealthCheckResult.Degraded(ex.Message);
            }
        }
    }
}

using System.Net;
using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace ClinicalAssist.Web.Features.Context;

public static class ContextServiceCollectionExtensions
{
    /// <summary>Registers FhirOptions (section "Fhir", validated at start), the configured
    /// <see cref="IPatientRecordSource"/> (singleton), the "fhir" HttpClient (authorization, retry honouring
    /// Retry-After, circuit breaker, per-attempt timeout) and <see cref="PatientContextBuilder"/>.</summary>
    public static IHostApplicationBuilder AddPatientContext(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.AddOptions<FhirOptions>()
            .BindConfiguration(FhirOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);

        services.TryAddSingleton<TokenCredential>(sp =>
        {
            var clientId = sp.GetRequiredService<IOptions<FhirOptions>>().Value.AzureManagedIdentityClientId;
            return string.IsNullOrWhiteSpace(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
        });
        services.TryAddSingleton<SmartBackendTokenSource>();
        services.TryAddSingleton<IFhirAccessTokenSource>(sp => sp.GetRequiredService<IOptions<FhirOptions>>().Value.Auth switch
        {
            FhirAuthMode.SmartBackend => sp.GetRequiredService<SmartBackendTokenSource>(),
            FhirAuthMode.AzureManagedIdentity => ActivatorUtilities.CreateInstance<AzureFhirAccessTokenSource>(sp),
            _ => ActivatorUtilities.CreateInstance<StaticFhirAccessTokenSource>(sp),
        });
        services.AddTransient<FhirAuthorizationHandler>();

        // The token endpoint client: no authorization handler of its own, a timeout, no logging of URLs.
        services.AddHttpClient(SmartBackendTokenSource.HttpClientName, (sp, client) =>
                client.Timeout = TimeSpan.FromSeconds(sp.GetRequiredService<IOptions<FhirOptions>>().Value.TimeoutSeconds))
            .RemoveAllLoggers();

        // The client logs nothing: request URLs carry patient ids and search terms (names, MRNs).
        // Order: authorization (outermost, so a retried attempt reuses the token) → resilience → network.
        services.AddHttpClient(FhirClientFactory.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllLoggers()
            .AddHttpMessageHandler<FhirAuthorizationHandler>()
            .AddResilienceHandler("fhir", static (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<FhirOptions>>().Value;
                var attempt = TimeSpan.FromSeconds(options.TimeoutSeconds);
                var maxRetryAfter = TimeSpan.FromSeconds(options.MaxRetryAfterSeconds);
                pipeline.AddTimeout(attempt * (options.MaxRetries + 1) + maxRetryAfter * options.MaxRetries);
                if (options.MaxRetries > 0)
                {
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = options.MaxRetries,
                        Delay = TimeSpan.FromMilliseconds(options.RetryBaseDelayMilliseconds),
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = true,
                        MaxDelay = maxRetryAfter,
                        ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome)),
                    });
                }

                pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                {
                    FailureRatio = 0.5,
                    MinimumThroughput = 20,
                    SamplingDuration = TimeSpan.FromSeconds(Math.Max(30, options.TimeoutSeconds * 2)),
                    BreakDuration = TimeSpan.FromSeconds(15),
                    ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome)),
                });
                pipeline.AddTimeout(attempt);
            });

        services.AddSingleton<IPatientRecordSource>(sp => sp.GetRequiredService<IOptions<FhirOptions>>().Value.Source switch
        {
            FhirSourceKind.Directory => ActivatorUtilities.CreateInstance<DirectoryRecordSource>(sp),
            FhirSourceKind.Server => ActivatorUtilities.CreateInstance<ServerRecordSource>(sp),
            _ => ActivatorUtilities.CreateInstance<DemoRecordSource>(sp),
        });

        services.AddScoped<PatientContextBuilder>();
        return builder;
    }

    /// <summary>429, 408 and 5xx answers, network failures and attempt timeouts are worth another try.</summary>
    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Result: { } response } => response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
                                    || (int)response.StatusCode >= 500,
        { Exception: HttpRequestException or Polly.Timeout.TimeoutRejectedException } => true,
        _ => false,
    };
}

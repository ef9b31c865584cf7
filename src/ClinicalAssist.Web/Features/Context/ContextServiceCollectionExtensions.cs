using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Context;

public static class ContextServiceCollectionExtensions
{
    /// <summary>Registers FhirOptions (section "Fhir", validated at start), the configured
    /// <see cref="IPatientRecordSource"/> (singleton), the "fhir" HttpClient and <see cref="PatientContextBuilder"/>.</summary>
    public static IHostApplicationBuilder AddPatientContext(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;

        services.AddOptions<FhirOptions>()
            .BindConfiguration(FhirOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);

        // The client logs nothing: request URLs carry patient ids and search terms (names, MRNs).
        services.AddHttpClient(ServerRecordSource.HttpClientName, (sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<FhirOptions>>().Value;
                client.Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
                if (!string.IsNullOrWhiteSpace(options.BearerToken))
                {
                    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.BearerToken);
                }
            })
            .RemoveAllLoggers();

        services.AddSingleton<IPatientRecordSource>(sp => sp.GetRequiredService<IOptions<FhirOptions>>().Value.Source switch
        {
            FhirSourceKind.Directory => ActivatorUtilities.CreateInstance<DirectoryRecordSource>(sp),
            FhirSourceKind.Server => ActivatorUtilities.CreateInstance<ServerRecordSource>(sp),
            _ => ActivatorUtilities.CreateInstance<DemoRecordSource>(sp),
        });

        services.AddScoped<PatientContextBuilder>();
        return builder;
    }
}

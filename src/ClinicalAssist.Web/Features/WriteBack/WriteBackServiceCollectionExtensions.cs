namespace ClinicalAssist.Web.Features.WriteBack;

public static class WriteBackServiceCollectionExtensions
{
    /// <summary>
    /// Binds and validates <see cref="WriteBackOptions"/> (section "Fhir:WriteBack", off by default) and registers the
    /// write-back queue, its processor, the R4 validator and the background worker (idle unless enabled).
    /// </summary>
    public static IHostApplicationBuilder AddWriteBack(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<WriteBackOptions>()
            .BindConfiguration(WriteBackOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<FhirResourceValidator>();
        builder.Services.AddSingleton<WriteBackQueue>();
        builder.Services.AddSingleton<WriteBackProcessor>();
        builder.Services.AddHostedService<WriteBackWorker>();
        return builder;
    }
}

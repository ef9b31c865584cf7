namespace ClinicalAssist.Web.Features.Validation;

public static class ValidationServiceCollectionExtensions
{
    /// <summary>Binds and validates <see cref="ValidationOptions"/> (section "Validation") and registers local
    /// validation: evaluation sets, runs and their background worker, the report and the activation gate.</summary>
    public static IHostApplicationBuilder AddValidation(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ValidationOptions>()
            .BindConfiguration(ValidationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<CaseScorer>();
        builder.Services.AddSingleton<EvaluationSets>();
        builder.Services.AddSingleton<EvaluationRuns>();
        builder.Services.AddSingleton<EvaluationSignals>();
        builder.Services.AddSingleton<EvaluationRunner>();
        builder.Services.AddSingleton<EvaluationReports>();
        builder.Services.AddSingleton<ActivationGate>();
        builder.Services.AddHostedService<EvaluationWorker>();
        return builder;
    }
}

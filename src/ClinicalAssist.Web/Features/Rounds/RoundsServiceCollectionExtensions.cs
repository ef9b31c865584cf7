namespace ClinicalAssist.Web.Features.Rounds;

public static class RoundsServiceCollectionExtensions
{
    /// <summary>Binds and validates <see cref="RoundsOptions"/> (section "Rounds") and registers the rounds list, the
    /// "Prepare drafts" batches, the shared model-call slots, the background worker that runs (and resumes) them and the
    /// watcher that brings other instances' cancels and progress to this one.</summary>
    public static IHostApplicationBuilder AddRounds(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RoundsOptions>()
            .BindConfiguration(RoundsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<RoundsSignals>();
        builder.Services.AddSingleton<RoundsCallSlots>();
        builder.Services.AddSingleton<RoundsList>();
        builder.Services.AddSingleton<RoundsBatches>();
        builder.Services.AddSingleton<RoundsBatchRunner>();
        builder.Services.AddHostedService<RoundsWorker>();
        builder.Services.AddSingleton<RoundsBatchWatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RoundsBatchWatcher>());
        return builder;
    }
}

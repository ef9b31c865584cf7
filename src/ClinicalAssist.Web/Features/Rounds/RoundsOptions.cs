using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>"Rounds": how "Prepare drafts" runs in the background.</summary>
public sealed partial class RoundsOptions
{
    public const string SectionName = "Rounds";

    /// <summary>Settings of earlier versions that do nothing any more: the model pipeline's one retry layer waits out
    /// a 429 (ADR 0021).</summary>
    private static readonly string[] RemovedSettings = ["BackoffSeconds", "MaxBackoffSeconds"];

    /// <summary>At most this many drafts are generated at the same time (model calls in flight).</summary>
    [Range(1, 32)]
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Patients prepared ahead (context loaded, prompt built) while the model-call slots are busy, so a slot
    /// that frees up starts the next call at once. 0 = prepare only as many as can call the model.</summary>
    [Range(0, 32)]
    public int PrepareAhead { get; set; } = 2;

    /// <summary>How often the worker looks for new or resumed batches when it was not told of one.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 15;

    /// <summary>How often each instance reads what other instances did to rounds batches: a cancel pressed on another
    /// instance stops this one's running patients, and progress made elsewhere shows on pages open here, within this
    /// many seconds (plus one database query).</summary>
    [Range(1, 60)]
    public int WatchSeconds { get; set; } = 2;

    /// <summary>A warning at start-up for each removed setting still in the configuration, naming it. Not a start-up
    /// failure: the setting is harmless, and an upgrade should not take drafting away over it.</summary>
    internal static void WarnAboutRemovedSettings(IConfiguration configuration, ILogger logger)
    {
        foreach (var name in RemovedSettings.Where(n => configuration.GetSection(SectionName)[n] is not null))
        {
            LogRemovedSetting(logger, $"{SectionName}:{name}");
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning,
        Message = "The setting {Setting} was removed and is ignored. A rate-limited (HTTP 429) model call now waits as long as the AI service asks (Retry-After) and is tried again at most Model:MaxRetries times. Remove the setting from the configuration to silence this warning.")]
    private static partial void LogRemovedSetting(ILogger logger, string setting);
}

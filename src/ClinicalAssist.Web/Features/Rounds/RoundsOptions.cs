using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>"Rounds": how "Prepare drafts" runs in the background.</summary>
public sealed class RoundsOptions
{
    public const string SectionName = "Rounds";

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
}

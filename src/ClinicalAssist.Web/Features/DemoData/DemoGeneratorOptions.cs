using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Features.DemoData;

/// <summary>What the demo ward looks like. The same Seed, Count and Anchor always produce byte-identical bundles.</summary>
public sealed record DemoGeneratorOptions
{
    /// <summary>Upper bound on <see cref="Count"/>: a demo ward, not a load test.</summary>
    public const int MaxCount = 500;

    /// <summary>Drives names, ids, beds and the small variations in values; change it for a different ward.</summary>
    public int Seed { get; init; } = DemoPatientGenerator.DefaultSeed;

    /// <summary>Number of patients (at least 1). Beyond the scenario count, scenarios repeat with other people.</summary>
    [Range(1, MaxCount)]
    public int Count { get; init; } = 12;

    /// <summary>"Now" of the ward (required): admissions, labs, vitals and notes all lead up to it.
    /// The app passes today at 07:00 so the ward looks current every day.</summary>
    public DateTimeOffset Anchor { get; init; }
}

using System.ComponentModel.DataAnnotations;

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>Section "Validation": how evaluation runs are run and what the activation gate requires.</summary>
public sealed class ValidationOptions : IValidatableObject
{
    public const string SectionName = "Validation";

    /// <summary>Cases of evaluation runs called at once by this instance (over every running run). 429s are paced by
    /// the model pipeline per deployment, not here.</summary>
    [Range(1, 64)]
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>How often the worker looks for runs another instance left (its leases ran out).</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 15;

    /// <summary>Lowest share of cited statements whose every key is in the prompt (0–1).</summary>
    [Range(0.0, 1.0)]
    public double MinCitationValidity { get; set; } = 0.99;

    /// <summary>Lowest share of the must-include items the cases declare that the answers cite (0–1).</summary>
    [Range(0.0, 1.0)]
    public double MinMustIncludeRecall { get; set; } = 1.0;

    /// <summary>A cohort whose metric divided by the whole's falls outside [Lower, Upper] is flagged (seismometer's
    /// default 0.8–1.25).</summary>
    [Range(0.0, 1.0)]
    public double CohortRatioLower { get; set; } = 0.8;

    [Range(1.0, 10.0)]
    public double CohortRatioUpper { get; set; } = 1.25;

    /// <summary>Cases drawn from signed drafts at most, newest first.</summary>
    [Range(1, 5000)]
    public int MaxSignedDraftCases { get; set; } = 200;

    /// <summary>Patients of the generated demo ward a demo set holds.</summary>
    [Range(1, 500)]
    public int DemoWardCases { get; set; } = 12;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CohortRatioLower >= CohortRatioUpper)
            yield return new ValidationResult("Validation:CohortRatioLower must be below Validation:CohortRatioUpper.", [nameof(CohortRatioLower)]);
    }
}

namespace ClinicalAssist.Data;

/// <summary>
/// The model card of one <see cref="ModelConfiguration"/> (1:1): the nine ONC HTI-1 source-attribute groups
/// (45 CFR 170.315(b)(11)) and the CHAI applied-model-card fields (draft schema v0.2). Admins edit it; clinicians
/// read it from every draft ("About this model"). Which fields a complete card needs is decided in the app
/// (Features/Governance/ModelCardFields).
/// </summary>
public class ModelCard
{
    public Guid Id { get; set; }
    public Guid ModelConfigurationId { get; set; }
    public ModelConfiguration? ModelConfiguration { get; set; }

    // CHAI BasicInfo / HTI-1 (1) details and output
    public string? ModelName { get; set; }
    public string? Developer { get; set; }
    public string? Contact { get; set; }
    public string? OutputType { get; set; }
    public string? OutputDescription { get; set; }

    // CHAI ReleaseInfo
    public string? ReleaseStage { get; set; }
    public string? ModelVersion { get; set; }
    public string? EhrCompatibility { get; set; }
    public string? RegulatoryApproval { get; set; }

    // CHAI ModelSummary
    public string? Summary { get; set; }

    // HTI-1 (2) purpose / CHAI UsesAndDirections
    public string? IntendedUse { get; set; }
    public string? IntendedWorkflow { get; set; }
    public string? IntendedUsers { get; set; }
    public string? PatientPopulation { get; set; }
    /// <summary>Informs, Augments or Replaces (HTI-1 decision role).</summary>
    public string? DecisionRole { get; set; }

    // HTI-1 (3) cautioned out-of-scope uses and known risks / CHAI Warnings
    public string? OutOfScopeUses { get; set; }
    public string? KnownRisks { get; set; }
    public string? KnownBiases { get; set; }
    public string? ClinicalRiskLevel { get; set; }

    // HTI-1 (4) development details and inputs / CHAI TrustIngredients
    public string? FoundationModels { get; set; }
    public string? TrainingDataCriteria { get; set; }
    public string? InputDataSources { get; set; }
    public string? DemographicInputs { get; set; }
    public string? Representativeness { get; set; }

    // HTI-1 (5) fairness
    public string? FairnessApproach { get; set; }

    // HTI-1 (6) external validation
    public string? ExternalValidation { get; set; }

    // HTI-1 (7) quantitative validity and fairness measures / CHAI KeyMetrics (goal, result, interpretation, test type, test data)
    public string? UsefulnessGoal { get; set; }
    public string? UsefulnessResult { get; set; }
    public string? UsefulnessInterpretation { get; set; }
    public string? UsefulnessTestType { get; set; }
    public string? UsefulnessTestData { get; set; }
    public string? FairnessGoal { get; set; }
    public string? FairnessResult { get; set; }
    public string? FairnessInterpretation { get; set; }
    public string? FairnessTestType { get; set; }
    public string? FairnessTestData { get; set; }
    public string? SafetyGoal { get; set; }
    public string? SafetyResult { get; set; }
    public string? SafetyInterpretation { get; set; }
    public string? SafetyTestType { get; set; }
    public string? SafetyTestData { get; set; }

    // HTI-1 (8) ongoing monitoring / CHAI TrustIngredients ongoing maintenance
    public string? LocalMonitoring { get; set; }
    public string? MonitoringFrequency { get; set; }

    // HTI-1 (9) update and revalidation
    public string? UpdateSchedule { get; set; }

    // CHAI TrustIngredients (security, transparency), Resources, Bibliography
    public string? Security { get; set; }
    public string? TransparencyInformation { get; set; }
    public string? Resources { get; set; }
    public string? Bibliography { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
    public string UpdatedByName { get; set; } = "";

    /// <summary>Optimistic concurrency token, renewed on every save.</summary>
    public Guid Version { get; set; }
}

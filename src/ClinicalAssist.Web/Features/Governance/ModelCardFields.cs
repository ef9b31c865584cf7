using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

public static class ModelCardFields
{
    public static readonly IReadOnlyList<string> DecisionRoles = ["Informs", "Augments", "Replaces"];

    private const string S1 = "1 · Details and output (HTI-1 §1; CHAI BasicInfo, ReleaseInfo, ModelSummary)";
    private const string S2 = "2 · Purpose (HTI-1 §2; CHAI UsesAndDirections)";
    private const string S3 = "3 · Cautioned out-of-scope uses and known risks (HTI-1 §3; CHAI Warnings)";
    private const string S4 = "4 · Development details and inputs (HTI-1 §4; CHAI TrustIngredients)";
    private const string S5 = "5 · How fairness was ensured (HTI-1 §5; CHAI bias mitigation)";
    private const string S6 = "6 · External validation (HTI-1 §6)";
    private const string S7 = "7 · Quantitative validity and fairness measures (HTI-1 §7; CHAI KeyMetrics)";
    private const string S8 = "8 · Ongoing local monitoring (HTI-1 §8; CHAI ongoing maintenance)";
    private const string S9 = "9 · Update and revalidation schedule (HTI-1 §9)";
    private const string S10 = "Security, transparency and references (CHAI TrustIngredients, Resources, Bibliography)";

    public static readonly IReadOnlyList<ModelCardField> All =
    [
        new(S1, "model-name", "Model name", "As users know it.", c => c.ModelName, (c, v) => c.ModelName = v),
        new(S1, "developer", "Developer / owner", "Organisation responsible for the model.", c => c.Developer, (c, v) => c.Developer = v),
        new(S1, "contact", "Contact", "Who answers questions about this model.", c => c.Contact, (c, v) => c.Contact = v, Required: false),
        new(S1, "summary", "Model summary", "What it does, in plain language, and how the output is made.", c => c.Summary, (c, v) => c.Summary = v),
        new(S1, "output-type", "Output type", "E.g. free-text summary with citations to FHIR resources.", c => c.OutputType, (c, v) => c.OutputType = v),
        new(S1, "output-description", "Output details", "What the output contains and how it is shown.", c => c.OutputDescription, (c, v) => c.OutputDescription = v),
        new(S1, "release-stage", "Release stage", "E.g. pilot, general availability.", c => c.ReleaseStage, (c, v) => c.ReleaseStage = v),
        new(S1, "model-version", "Model version", "Model / deployment version in use.", c => c.ModelVersion, (c, v) => c.ModelVersion = v),
        new(S1, "ehr-compatibility", "EHR compatibility", "E.g. FHIR R4 servers.", c => c.EhrCompatibility, (c, v) => c.EhrCompatibility = v),
        new(S1, "regulatory", "Regulatory approval", "Clearances, or why none is needed (e.g. non-device CDS).", c => c.RegulatoryApproval, (c, v) => c.RegulatoryApproval = v),
        new(S2, "intended-use", "Intended use", "The clinical question it helps with.", c => c.IntendedUse, (c, v) => c.IntendedUse = v),
        new(S2, "workflow", "Intended workflow", "Where in the workflow it is used and who acts on it.", c => c.IntendedWorkflow, (c, v) => c.IntendedWorkflow = v),
        new(S2, "users", "Intended users", "E.g. ward physicians during rounds.", c => c.IntendedUsers, (c, v) => c.IntendedUsers = v),
        new(S2, "population", "Target patient population", "Who the model is meant for.", c => c.PatientPopulation, (c, v) => c.PatientPopulation = v),
        new(S2, "decision-role", "Decision role", "Whether the output informs, augments or replaces clinical judgement.", c => c.DecisionRole, (c, v) => c.DecisionRole = v, Choices: DecisionRoles),
        new(S3, "out-of-scope", "Cautioned out-of-scope uses", "Settings and uses it must not be relied on for.", c => c.OutOfScopeUses, (c, v) => c.OutOfScopeUses = v),
        new(S3, "risks", "Known risks and limitations", "E.g. hallucination, omission, automation bias.", c => c.KnownRisks, (c, v) => c.KnownRisks = v),
        new(S3, "biases", "Known biases", "Groups or inputs for which output quality differs.", c => c.KnownBiases, (c, v) => c.KnownBiases = v),
        new(S3, "risk-level", "Clinical risk level", "E.g. low, moderate, high, with the reason.", c => c.ClinicalRiskLevel, (c, v) => c.ClinicalRiskLevel = v),
        new(S4, "foundation-models", "Foundation models", "Base model(s) and provider.", c => c.FoundationModels, (c, v) => c.FoundationModels = v),
        new(S4, "training-data", "Training data criteria", "Inclusion / exclusion criteria of the training data, if known.", c => c.TrainingDataCriteria, (c, v) => c.TrainingDataCriteria = v),
        new(S4, "input-sources", "Input data sources", "What the model is given at run time.", c => c.InputDataSources, (c, v) => c.InputDataSources = v),
        new(S4, "demographic-inputs", "Demographic and social-determinant inputs", "Which such inputs are used, if any.", c => c.DemographicInputs, (c, v) => c.DemographicInputs = v),
        new(S4, "representativeness", "Representativeness", "How well the data represent the local population.", c => c.Representativeness, (c, v) => c.Representativeness = v),
        new(S5, "fairness-approach", "Fairness approach and bias mitigation", "How fairness was assessed and ensured.", c => c.FairnessApproach, (c, v) => c.FairnessApproach = v),
        new(S6, "external-validation", "External validation", "Validation on data other than the developer's, and its results.", c => c.ExternalValidation, (c, v) => c.ExternalValidation = v),
        .. Metric(S7, "usefulness", "Usefulness / efficacy",
            c => (c.UsefulnessGoal, c.UsefulnessResult, c.UsefulnessInterpretation, c.UsefulnessTestType, c.UsefulnessTestData),
            [(c, v) => c.UsefulnessGoal = v, (c, v) => c.UsefulnessResult = v, (c, v) => c.UsefulnessInterpretation = v, (c, v) => c.UsefulnessTestType = v, (c, v) => c.UsefulnessTestData = v]),
        .. Metric(S7, "fairness", "Fairness / equity",
            c => (c.FairnessGoal, c.FairnessResult, c.FairnessInterpretation, c.FairnessTestType, c.FairnessTestData),
            [(c, v) => c.FairnessGoal = v, (c, v) => c.FairnessResult = v, (c, v) => c.FairnessInterpretation = v, (c, v) => c.FairnessTestType = v, (c, v) => c.FairnessTestData = v]),
        .. Metric(S7, "safety", "Safety / reliability",
            c => (c.SafetyGoal, c.SafetyResult, c.SafetyInterpretation, c.SafetyTestType, c.SafetyTestData),
            [(c, v) => c.SafetyGoal = v, (c, v) => c.SafetyResult = v, (c, v) => c.SafetyInterpretation = v, (c, v) => c.SafetyTestType = v, (c, v) => c.SafetyTestData = v]),
        new(S8, "monitoring", "Ongoing local monitoring", "What is monitored locally (e.g. this product's quality dashboard).", c => c.LocalMonitoring, (c, v) => c.LocalMonitoring = v),
        new(S8, "monitoring-frequency", "Monitoring frequency", "E.g. weekly review of the quality dashboard.", c => c.MonitoringFrequency, (c, v) => c.MonitoringFrequency = v),
        new(S9, "update-schedule", "Update and revalidation schedule", "When the model is updated and revalidated.", c => c.UpdateSchedule, (c, v) => c.UpdateSchedule = v),
        new(S10, "security", "Security", "How data sent to the model are protected.", c => c.Security, (c, v) => c.Security = v),
        new(S10, "transparency", "Transparency information", "Where users find more (e.g. this card, Provenance).", c => c.TransparencyInformation, (c, v) => c.TransparencyInformation = v),
        new(S10, "resources", "Resources", "Links to documentation.", c => c.Resources, (c, v) => c.Resources = v, Required: false),
        new(S10, "bibliography", "Bibliography", "Publications.", c => c.Bibliography, (c, v) => c.Bibliography = v, Required: false),
    ];

    private static IEnumerable<ModelCardField> Metric(string section, string key, string name,
        Func<ModelCard, (string?, string?, string?, string?, string?)> get, Action<ModelCard, string?>[] set)
    {
        string[] parts = ["goal", "result", "interpretation", "test-type", "test-data"];
        string[] labels = ["goal", "result", "interpretation", "test type", "test data"];
        for (var i = 0; i < parts.Length; i++)
        {
            var index = i;
            yield return new ModelCardField(section, $"{key}-{parts[i]}", $"{name}: {labels[i]}", "CHAI KeyMetrics.",
                c => index switch { 0 => get(c).Item1, 1 => get(c).Item2, 2 => get(c).Item3, 3 => get(c).Item4, _ => get(c).Item5 },
                set[i]);
        }
    }

    /// <summary>Labels of the required fields left empty (all of them when there is no card).</summary>
    public static IReadOnlyList<string> Missing(ModelCard? card) =>
        All.Where(f => f.Required && (card is null || string.IsNullOrWhiteSpace(f.Get(card)))).Select(f => f.Label).ToList();

    public static bool IsComplete(ModelCard? card) => card is not null && Missing(card).Count == 0;
}

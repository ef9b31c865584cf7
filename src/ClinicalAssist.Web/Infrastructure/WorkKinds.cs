namespace ClinicalAssist.Web.Infrastructure;

/// <summary>The kinds of background work that are claimed with a lease, declared once.</summary>
public static class WorkKinds
{
    public const string Draft = "draft";
    public const string RoundsItem = "rounds-item";
    public const string FhirWrite = "fhir-write";
    public const string EvaluationCase = "evaluation-case";
}

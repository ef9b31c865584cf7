namespace ClinicalAssist.Web.Features.Validation;

/// <summary>The audit actions of local validation, declared once.</summary>
public static class ValidationAuditActions
{
    public const string SetCreated = "validation.set-created";
    public const string CaseIncluded = "validation.case-included";
    public const string CaseExcluded = "validation.case-excluded";
    public const string SetFrozen = "validation.set-frozen";
    public const string RunStarted = "validation.run-started";
    public const string RunStopped = "validation.run-stopped";
    public const string RunResumed = "validation.run-resumed";
    public const string RunCompleted = "validation.run-completed";
    public const string RunViewed = "validation.run-viewed";
    public const string ActivationRequested = "activation.requested";
    public const string ActivationApproved = "activation.approved";
    public const string ActivationRefused = "activation.refused";
    public const string ActivationWithdrawn = "activation.withdrawn";
}

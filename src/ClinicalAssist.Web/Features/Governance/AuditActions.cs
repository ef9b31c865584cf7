using System.Security.Claims;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

public static class AuditActions
{
    public const string SignedIn = "user.signed-in";
    public const string SignedOut = "user.signed-out";
    public const string SignInFailed = "user.sign-in-failed";
    public const string SignInSecondFactor = "user.sign-in-second-factor";
    public const string LockedOut = "user.locked-out";
    public const string AuditExported = "audit.exported";
    public const string AuditPurged = "audit.purged";
    public const string ChartViewed = "chart.viewed";
    public const string CitationOpened = "citation.opened";
    public const string DraftViewed = "draft.viewed";
    public const string DraftStarted = "draft.started";
    public const string DraftGenerated = "draft.generated";
    public const string DraftFailed = "draft.failed";
    public const string DraftStopped = "draft.stopped";
    public const string DraftsInterrupted = "drafts.interrupted";
    public const string DraftSigned = "draft.signed";
    public const string DraftRejected = "draft.rejected";
    /// <summary>A newer draft took this one's place (one current draft per patient and clinician; details by=&lt;draft id&gt;).</summary>
    public const string DraftSuperseded = "draft.superseded";
    /// <summary>A clinician explicitly took over another clinician's unsigned draft (details from=&lt;user id&gt;).</summary>
    public const string DraftTakenOver = "draft.taken-over";
    public const string DraftApproved = "review.approved";
    public const string DraftReturned = "review.returned";
    public const string DecisionRefused = "decision.refused";
    /// <summary>An action refused because the acting account no longer had the authority (role, disabled, locked).</summary>
    public const string ActionRefused = "authority.refused";

    // Administration (users, model configurations, model cards, quality metrics).
    public const string UserCreated = "user.created";
    public const string UserRolesChanged = "user.roles-changed";
    public const string UserLocked = "user.locked";
    public const string UserUnlocked = "user.unlocked";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string UserPasswordResetForced = "user.password-reset-forced";
    public const string UserChangeRefused = "user.change-refused";
    public const string ModelConfigurationCreated = "model-config.created";
    public const string ModelConfigurationUpdated = "model-config.updated";
    public const string ModelConfigurationActivated = "model-config.activated";
    public const string ModelConfigurationTested = "model-config.connection-tested";
    public const string ModelCardSaved = "model-card.saved";
    public const string QualityMetricsExported = "quality.exported";

    // Rounds (census list and "Prepare drafts").
    public const string RoundsPatientAdded = "rounds.patient-added";
    public const string RoundsPatientRemoved = "rounds.patient-removed";
    public const string RoundsBatchStarted = "rounds.batch-started";
    public const string RoundsBatchCancelled = "rounds.batch-cancelled";
    public const string RoundsBatchResumed = "rounds.batch-resumed";
    public const string RoundsBatchCompleted = "rounds.batch-completed";
    public const string RoundsItemRetried = "rounds.item-retried";
    public const string RoundsItemUnchanged = "rounds.item-unchanged";
    public const string RoundsHandoverViewed = "rounds.handover-viewed";
}

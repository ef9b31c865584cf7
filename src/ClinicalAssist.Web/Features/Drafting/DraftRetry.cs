using ClinicalAssist.Data;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The one declaration of which draft outcomes may be tried again: the generator stores it
/// (<see cref="Draft.FailureRetryable"/>), start-up recovery stores it for interrupted drafts, and every page offers a
/// "Try again" / "Retry" only where it says so. A failure the model pipeline calls final (a content-filter refusal, a
/// rejected credential, a missing deployment, an answer cut at the configured length) is not retryable: trying again
/// gives the same result, so the clinician is told what to do instead.
/// </summary>
public static class DraftRetry
{
    /// <param name="outcome">The draft's status.</param>
    /// <param name="failureRetryable">For a failure: what the failure said about itself.</param>
    public static bool IsRetryable(DraftStatus outcome, bool failureRetryable) => outcome switch
    {
        DraftStatus.Stopped => true,      // the clinician stopped it: generating again is their call
        DraftStatus.Interrupted => true,  // the app restarted mid-draft: nothing about the request was wrong
        DraftStatus.Failed => failureRetryable,
        _ => false,
    };

    /// <summary>Whether a stored draft is offered a retry.</summary>
    public static bool Offered(Draft? draft) => draft is not null && IsRetryable(draft.Status, draft.FailureRetryable);

    /// <summary>The label of the generate button for the draft shown (null: none yet).</summary>
    public static string GenerateLabel(Draft? draft) =>
        draft is null ? "Generate summary" : Offered(draft) ? "Try again" : "Generate new summary";
}

using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>One row of the rounds list: the patient, their latest draft and its batch item (if any).</summary>
public sealed record RoundsRow(
    PatientSummary Patient,
    bool AddedByHand,
    RoundsDraftState State,
    Guid? DraftId,
    DraftStatus? DraftStatus,
    int Warnings,
    int NotMentioned,
    DateTimeOffset? DraftAt,
    Guid? ItemId,
    RoundsItemStatus? ItemStatus,
    string? ItemMessage,
    bool DraftFailureRetryable = false)
{
    /// <summary>A failed or cancelled preparation is offered "Retry" unless its draft failed in a way trying again
    /// cannot fix (<see cref="DraftRetry"/>: e.g. a content-filter refusal).</summary>
    public bool CanRetry => ItemStatus is RoundsItemStatus.Failed or RoundsItemStatus.Cancelled
        && (DraftStatus is not (Data.DraftStatus.Failed or Data.DraftStatus.Stopped or Data.DraftStatus.Interrupted)
            || DraftRetry.IsRetryable(DraftStatus.Value, DraftFailureRetryable));

    public static string Label(RoundsDraftState state) => state switch
    {
        RoundsDraftState.None => "No draft",
        RoundsDraftState.Preparing => "Preparing",
        RoundsDraftState.Ready => "Ready",
        RoundsDraftState.Signed => "Signed",
        _ => "Needs attention",
    };
}

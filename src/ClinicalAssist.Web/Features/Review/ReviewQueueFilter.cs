using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Review;

/// <summary>Review queue filters. Empty values do not filter.</summary>
public sealed record ReviewQueueFilter
{
    public QueueView View { get; init; } = QueueView.Awaiting;
    public QueueSort Sort { get; init; } = QueueSort.OldestFirst;
    /// <summary>The signing clinician's user id.</summary>
    public string? ClinicianId { get; init; }
    /// <summary>Exact patient id, or a part of the patient's name.</summary>
    public string? Patient { get; init; }
    public string? ModelId { get; init; }
    public string? TemplateId { get; init; }
    public int? TemplateVersion { get; init; }
    /// <summary>Signed at or after (UTC).</summary>
    public DateTimeOffset? SignedFrom { get; init; }
    /// <summary>Signed before (UTC).</summary>
    public DateTimeOffset? SignedTo { get; init; }
    public bool? HasWarnings { get; init; }
}

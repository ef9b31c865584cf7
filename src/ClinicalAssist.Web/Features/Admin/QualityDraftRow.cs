using System.Globalization;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Admin;

/// <summary>The per-draft facts the metrics are computed from (and the CSV export's rows). No patient identifiers.</summary>
public sealed record QualityDraftRow(
    Guid DraftId, DateTimeOffset CreatedAt, Guid? ModelConfigurationId, string ModelConfigurationName, string? ReportedModelId,
    string TemplateId, int TemplateVersion, DraftStatus Status, int WarningCount, int MustIncludeOmissionCount, double? EditDistance,
    int? TimeToFirstTokenMs, int? DurationMs, int? PromptTokens, int? CompletionTokens, string? RejectionReason,
    bool? ReviewApproved, string? ReviewReason);

using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Review;

public sealed record QueueRow(Guid Id, string PatientId, string PatientLabel, string? SignedById, string? SignedBy,
    DateTimeOffset SignedAt, string Drafter, bool IsAiGenerated, string ModelId, string TemplateId, int TemplateVersion,
    double? EditDistance, int WarningCount, DraftStatus Status);

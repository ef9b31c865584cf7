using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Review;

public sealed record QueuePage(IReadOnlyList<QueueRow> Rows, QueueCursor? Next);

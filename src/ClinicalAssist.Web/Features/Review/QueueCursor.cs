using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Review;

/// <summary>Where the previous page ended: the last row's sign-off time and id (keyset paging, no OFFSET).</summary>
public sealed record QueueCursor(DateTimeOffset SignedAt, Guid Id);

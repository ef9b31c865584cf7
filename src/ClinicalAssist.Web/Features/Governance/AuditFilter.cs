using System.Globalization;
using System.Text;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>Audit viewer filters; empty values do not filter. Times are UTC, <see cref="To"/> exclusive.</summary>
public sealed record AuditFilter
{
    /// <summary>User id, or a part of the user's display name.</summary>
    public string? User { get; init; }
    public string? PatientId { get; init; }
    /// <summary>Exact action, or a prefix ending in '.', e.g. "draft." for every draft action.</summary>
    public string? Action { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
}

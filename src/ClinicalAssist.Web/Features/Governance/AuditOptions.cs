using System.Globalization;
using System.Text;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>Section "Audit". Events are kept for ever unless <see cref="RetentionDays"/> is set; the EU AI Act
/// (Art. 12, 19) asks deployers to keep logs at least six months, so shorter periods are refused at start-up.</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    [System.ComponentModel.DataAnnotations.Range(183, 36500)]
    public int? RetentionDays { get; set; }
}

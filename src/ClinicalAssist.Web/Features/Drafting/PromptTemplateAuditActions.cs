using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>Audit actions of the template admin page.</summary>
public static class PromptTemplateAuditActions
{
    public const string VersionAdded = "template.version-added";
    public const string VersionActivated = "template.version-activated";
    public const string DryRun = "template.dry-run";
}

using System.Globalization;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Admin;

/// <summary>Drafts created in [<see cref="From"/>, <see cref="To"/>) (UTC), optionally of one model configuration
/// and/or one template version.</summary>
public sealed record QualityFilter(DateTimeOffset From, DateTimeOffset To, Guid? ModelConfigurationId = null, string? TemplateId = null, int? TemplateVersion = null);

using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>Outcome of a template change: the message to show, and whether it happened.</summary>
public sealed record TemplateChangeResult(bool Succeeded, string Message, int? Version = null);

using System.Globalization;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Admin;

/// <summary>A row of the configurations page: the configuration, where its key comes from (never the key), and
/// whether its model card is complete.</summary>
public sealed record ModelConfigurationRow(ModelConfiguration Configuration, string KeyState, bool CardComplete);

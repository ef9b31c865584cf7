using System.Globalization;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Admin;

public sealed record ModelConfigurationSaveResult(bool Succeeded, string Message, Guid? Id = null);

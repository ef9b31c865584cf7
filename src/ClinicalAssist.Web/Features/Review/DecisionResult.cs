using System.Text.Json;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.WriteBack;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Review;

/// <summary>The outcome of a decision: done, or refused with a message the user can act on.</summary>
public sealed record DecisionResult(bool Succeeded, string Message)
{
    public static DecisionResult Ok(string message) => new(true, message);
    public static DecisionResult Refused(string message) => new(false, message);
}

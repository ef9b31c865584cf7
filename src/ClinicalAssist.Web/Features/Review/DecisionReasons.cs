using System.Text.Json;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.WriteBack;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Review;

/// <summary>Coded reasons for a clinician's rejection or a reviewer's return (CDS Hooks overrideReason shape:
/// a code with a display, and/or a free-text comment).</summary>
public static class DecisionReasons
{
    public static readonly IReadOnlyList<(string Code, string Display)> All =
    [
        ("unsupported-claim", "Unsupported claim / hallucination"),
        ("omission", "Omission"),
        ("wrong-data", "Wrong or outdated data"),
        ("unsafe", "Clinically unsafe"),
        ("not-useful", "Not useful"),
        ("other", "Other"),
    ];

    public static string Display(string? code) =>
        All.FirstOrDefault(r => r.Code == code).Display ?? code ?? "";

    public static bool IsKnown(string? code) => All.Any(r => r.Code == code);
}

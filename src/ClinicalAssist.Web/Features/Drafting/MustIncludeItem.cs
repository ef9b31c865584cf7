using System.Globalization;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>An item the draft has to mention (the must-include net): an allergy, a current abnormal or critical result
/// (the latest of its test: a value a newer result superseded is never one), a high-alert medicine.</summary>
public sealed record MustIncludeItem(string Kind, string Description, string CitationKey)
{
    /// <summary>Critical tier: left unmentioned, the clinician must acknowledge it before signing (a critical value, a
    /// high-criticality allergy, a high-alert medicine). Otherwise a folded review item.</summary>
    public bool Critical { get; init; }

    /// <summary>Words that name it in a draft ("Potassium", "K"): it is mentioned when the draft cites its key, or names
    /// it (and, for a result, states its <see cref="Value"/>).</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>For a result: its latest value as a number ("5.4").</summary>
    public string? Value { get; init; }
}

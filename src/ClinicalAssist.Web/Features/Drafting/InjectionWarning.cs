using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>Instruction-like text found in a clinical note. <see cref="Excerpt"/> (≤ 120 characters) is note text:
/// show it to the clinician, never log it. The matched span is <see cref="HighlightStart"/> /
/// <see cref="HighlightLength"/> within the excerpt; <see cref="Explanation"/> says in plain words what it looks like.</summary>
public sealed record InjectionWarning(string NoteKey, ResourceRef Source, string Rule, string Excerpt)
{
    public int HighlightStart { get; init; }
    public int HighlightLength { get; init; }
    public string Explanation => PromptInjectionDetector.Explain(Rule);
}

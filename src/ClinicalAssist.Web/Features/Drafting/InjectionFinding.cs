using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>One finding of <see cref="PromptInjectionDetector.ScanText"/>: the rule, an excerpt of the original text
/// (invisible characters removed, line breaks as spaces) and the matched span within it.</summary>
public sealed record InjectionFinding(string Rule, string Excerpt, int HighlightStart, int HighlightLength);

using System.Globalization;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>An item the draft had to mention and did not.</summary>
public sealed record MustIncludeItem(string Kind, string Description, string CitationKey);

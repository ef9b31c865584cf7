using System.Globalization;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>A value with a unit in a statement that none of the statement's cited sources contains.</summary>
public sealed record NumberMismatch(string Value, string Statement, IReadOnlyList<string> CitedKeys);

using System.Globalization;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>A clinician's explicit choice to sign text that did not verify: their reason and the findings it overrode
/// (plain words, as shown to them).</summary>
public sealed record UnverifiedSignOff(string Reason, IReadOnlyList<string> Findings);

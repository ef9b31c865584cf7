using System.Globalization;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Admin;

/// <summary>Figures for one set of drafts. Definitions:
/// generated = generation completed (status Draft, Signed, Rejected, Approved or Returned); signed = ever signed
/// (Signed, Approved, Returned); warnings and omissions are per generated draft; edit distance over signed drafts;
/// latencies over generated drafts that recorded them, percentiles by nearest rank; tokens per UTC day over every
/// draft that recorded usage.</summary>
public sealed record QualityFigures(
    int Total, int Generated, int Failed, int Signed, int Rejected, int Approved, int Returned,
    IReadOnlyList<CountBy> RejectionReasons, IReadOnlyList<CountBy> ReturnReasons,
    double? EditDistanceMean, IReadOnlyList<CountBy> EditDistanceDistribution,
    double? WarningsPerDraft, int MustIncludeOmissions, double? OmissionsPerDraft,
    int? TimeToFirstTokenP50, int? TimeToFirstTokenP95, int? LatencyP50, int? LatencyP95,
    IReadOnlyList<TokensOnDay> TokensPerDay);

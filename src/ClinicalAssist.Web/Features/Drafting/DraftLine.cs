using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>One display line of a draft: a heading, a bullet or a paragraph, split into text and citation keys.</summary>
public sealed record DraftLine(DraftLineKind Kind, IReadOnlyList<DraftSegment> Segments);

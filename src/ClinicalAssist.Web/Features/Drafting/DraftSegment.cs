using System.Text.Json;
using System.Text.RegularExpressions;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>Plain text, or a citation key such as "L3" (<see cref="IsCitation"/>).</summary>
public sealed record DraftSegment(string Text, bool IsCitation);

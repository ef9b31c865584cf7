using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>One statement of an answer and the citation keys it rests on.</summary>
public sealed record CitedStatement(string Text, IReadOnlyList<string> Cite);

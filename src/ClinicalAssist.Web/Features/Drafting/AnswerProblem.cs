using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicalAssist.Web.Features.Drafting;

public sealed record AnswerProblem(string Problem, string Assessment, IReadOnlyList<string> Cite);

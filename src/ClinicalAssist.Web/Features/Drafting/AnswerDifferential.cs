using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicalAssist.Web.Features.Drafting;

public sealed record AnswerDifferential(
    string Diagnosis, string Likelihood, IReadOnlyList<CitedStatement> Supporting, IReadOnlyList<CitedStatement> Opposing);

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The output contract of every drafter (AI or offline): a one-line summary, active problems with a short
/// assessment, key findings, differential diagnoses with likelihood and supporting/opposing evidence, suggested
/// next steps and open questions ("Need: …"). Every statement carries citation keys. The model is asked for
/// exactly this shape (<see cref="DraftAnswerSchema"/>); <see cref="DraftAnswerParser"/> reads it tolerantly and
/// <see cref="ToText"/> renders the text the clinician reads, edits and signs.
/// </summary>
public sealed record DraftAnswer(
    CitedStatement? Summary,
    IReadOnlyList<AnswerProblem> Problems,
    IReadOnlyList<CitedStatement> KeyFindings,
    IReadOnlyList<AnswerDifferential> Differentials,
    IReadOnlyList<CitedStatement> NextSteps,
    IReadOnlyList<CitedStatement> OpenQuestions)
{
    /// <summary>Medications: active ones with their dose, then those stopped, held or completed this admission.</summary>
    public IReadOnlyList<CitedStatement> Medications { get; init; } = [];

    /// <summary>Allergies and intolerances, with criticality and reactions.</summary>
    public IReadOnlyList<CitedStatement> Allergies { get; init; } = [];

    /// <summary>Rendered section headings, in order.</summary>
    public static readonly IReadOnlyList<string> Sections =
        ["Summary", "Active problems", "Medications", "Allergies", "Key findings", "Differential diagnoses", "Suggested next steps", "Open questions"];

    /// <summary>Prefix of every open question in the rendered text.</summary>
    public const string NeedPrefix = "Need: ";

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => Summary is null && Problems.Count == 0 && Medications.Count == 0 && Allergies.Count == 0 && KeyFindings.Count == 0
                           && Differentials.Count == 0 && NextSteps.Count == 0 && OpenQuestions.Count == 0;

    /// <summary>The draft as text: "## Heading" lines and "- statement [K1][K2]" bullets (the format the verifier,
    /// the citation chips, the editor and the review diff use). Empty sections say so, except while streaming
    /// (<paramref name="partial"/>), when sections not reached yet are left out.</summary>
    public string ToText(bool partial = false)
    {
        var sb = new StringBuilder();
        void Heading(string name)
        {
            if (sb.Length > 0) sb.Append('\n');
            sb.Append("## ").Append(name).Append('\n');
        }
        void Line(string text, IEnumerable<string> cite, string marker = "- ")
        {
            sb.Append(marker).Append(OneLine(text));
            var keys = cite.Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            if (keys.Count > 0) sb.Append(' ').Append(string.Concat(keys.Select(k => "[" + k + "]")));
            sb.Append('\n');
        }
        bool Section<T>(string name, IReadOnlyList<T> items, Action<T> write, string empty, bool reached)
        {
            if (partial && items.Count == 0 && !reached) return false;
            Heading(name);
            if (items.Count == 0) { if (!partial) sb.Append("- ").Append(empty).Append('\n'); }
            else foreach (var item in items) write(item);
            return true;
        }

        if (Summary is not null || !partial)
        {
            Heading("Summary");
            if (Summary is null) sb.Append("- No summary given.\n");
            else Line(Summary.Text, Summary.Cite);
        }
        // While streaming, a section is shown once it or a later one has content.
        var later = new[] { Problems.Count, Medications.Count, Allergies.Count, KeyFindings.Count, Differentials.Count, NextSteps.Count, OpenQuestions.Count };
        bool Reached(int i) => later.Skip(i).Any(c => c > 0);
        Section("Active problems", Problems, p =>
        {
            Line(Trim(p.Problem) + (string.IsNullOrWhiteSpace(p.Assessment) ? "" : ": " + p.Assessment), p.Cite);
            foreach (var e in p.Evidence) Line(e.Text, e.Cite, "  - ");
            foreach (var plan in p.Plan) Line("Plan: " + StripPlan(plan.Text), plan.Cite, "  - ");
        }, "No active problems recorded.", Reached(0));
        Section("Medications", Medications, m => Line(m.Text, m.Cite), "No medication statements given.", Reached(1));
        Section("Allergies", Allergies, a => Line(a.Text, a.Cite), "No allergy statements given.", Reached(2));
        Section("Key findings", KeyFindings, f => Line(f.Text, f.Cite), "No key findings recorded.", Reached(3));
        Section("Differential diagnoses", Differentials, d =>
        {
            var text = new StringBuilder();
            text.Append(Trim(d.Diagnosis));
            if (!string.IsNullOrWhiteSpace(d.Likelihood)) text.Append(" — ").Append(Trim(d.Likelihood).ToLowerInvariant()).Append(" likelihood");
            sb.Append("- ").Append(OneLine(text.ToString()));
            foreach (var (label, items) in new[] { ("for", d.Supporting), ("against", d.Opposing) })
            {
                if (items.Count == 0) continue;
                sb.Append("; ").Append(label).Append(": ");
                sb.AppendJoin("; ", items.Select(s => Trim(OneLine(s.Text)) + (s.Cite.Count > 0 ? " " + string.Concat(s.Cite.Distinct(StringComparer.Ordinal).Select(k => "[" + k + "]")) : "")));
            }
            sb.Append('\n');
        }, "No differential diagnoses given.", Reached(4));
        Section("Suggested next steps", NextSteps, s => Line(s.Text, s.Cite), "No next steps suggested.", Reached(5));
        Section("Open questions", OpenQuestions, q => Line(NeedPrefix + StripNeed(q.Text), q.Cite), "No open questions recorded.", Reached(6));
        return sb.ToString();
    }

    private static string StripPlan(string text)
    {
        var t = text.Trim();
        return t.StartsWith("Plan:", StringComparison.OrdinalIgnoreCase) ? t[5..].TrimStart() : t;
    }

    private static string StripNeed(string text)
    {
        var t = text.Trim();
        return t.StartsWith("Need:", StringComparison.OrdinalIgnoreCase) ? t[5..].TrimStart() : t;
    }

    /// <summary>Trailing sentence punctuation removed (the renderer adds separators).</summary>
    private static string Trim(string text) => text.Trim().TrimEnd('.', ';', ',').Trim();

    private static string OneLine(string text) => text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal).Trim();

    /// <summary>Serialises the answer in the contract's JSON shape (what the offline drafter streams).</summary>
    public string ToJson()
    {
        static JsonArray Keys(IEnumerable<string> keys) => new([.. keys.Select(k => (JsonNode)JsonValue.Create(k))]);
        static JsonObject S(CitedStatement s) => new() { ["text"] = s.Text, ["cite"] = Keys(s.Cite) };
        static JsonArray All(IEnumerable<CitedStatement> items) => new([.. items.Select(i => (JsonNode)S(i))]);
        var root = new JsonObject
        {
            ["summary"] = Summary is null ? null : S(Summary),
            ["problems"] = new JsonArray([.. Problems.Select(p => (JsonNode)new JsonObject
            {
                ["problem"] = p.Problem, ["assessment"] = p.Assessment, ["cite"] = Keys(p.Cite),
                ["evidence"] = All(p.Evidence), ["plan"] = All(p.Plan),
            })]),
            ["medications"] = All(Medications),
            ["allergies"] = All(Allergies),
            ["keyFindings"] = All(KeyFindings),
            ["differentials"] = new JsonArray([.. Differentials.Select(d => (JsonNode)new JsonObject
            {
                ["diagnosis"] = d.Diagnosis, ["likelihood"] = d.Likelihood, ["supporting"] = All(d.Supporting), ["opposing"] = All(d.Opposing),
            })]),
            ["nextSteps"] = All(NextSteps),
            ["openQuestions"] = All(OpenQuestions),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = false, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}

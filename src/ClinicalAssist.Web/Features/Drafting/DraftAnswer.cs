using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>One statement of an answer and the citation keys it rests on.</summary>
public sealed record CitedStatement(string Text, IReadOnlyList<string> Cite);

public sealed record AnswerProblem(string Problem, string Assessment, IReadOnlyList<string> Cite);

public sealed record AnswerDifferential(
    string Diagnosis, string Likelihood, IReadOnlyList<CitedStatement> Supporting, IReadOnlyList<CitedStatement> Opposing);

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
    /// <summary>Rendered section headings, in order.</summary>
    public static readonly IReadOnlyList<string> Sections =
        ["Summary", "Active problems", "Key findings", "Differential diagnoses", "Suggested next steps", "Open questions"];

    /// <summary>Prefix of every open question in the rendered text.</summary>
    public const string NeedPrefix = "Need: ";

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => Summary is null && Problems.Count == 0 && KeyFindings.Count == 0 && Differentials.Count == 0
                           && NextSteps.Count == 0 && OpenQuestions.Count == 0;

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
        void Line(string text, IEnumerable<string> cite)
        {
            sb.Append("- ").Append(OneLine(text));
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
        var later = new[] { Problems.Count, KeyFindings.Count, Differentials.Count, NextSteps.Count, OpenQuestions.Count };
        bool Reached(int i) => later.Skip(i).Any(c => c > 0);
        Section("Active problems", Problems, p => Line(Trim(p.Problem) + (string.IsNullOrWhiteSpace(p.Assessment) ? "" : ": " + p.Assessment), p.Cite),
            "No active problems recorded.", Reached(0));
        Section("Key findings", KeyFindings, f => Line(f.Text, f.Cite), "No key findings recorded.", Reached(1));
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
        }, "No differential diagnoses given.", Reached(2));
        Section("Suggested next steps", NextSteps, s => Line(s.Text, s.Cite), "No next steps suggested.", Reached(3));
        Section("Open questions", OpenQuestions, q => Line(NeedPrefix + StripNeed(q.Text), q.Cite), "No open questions recorded.", Reached(4));
        return sb.ToString();
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
            })]),
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

/// <summary>
/// The JSON schema sent with the request (structured output, every provider) and named in the prompt. It is generated
/// from the C# answer type (<see cref="DraftAnswer"/>, one source of truth): every property required, no additional
/// properties, every <c>cite</c> array's items constrained to the citation key grammar
/// (<see cref="CitationKey.Grammar"/>) and the likelihood to <see cref="Likelihoods"/>.
/// </summary>
public static class DraftAnswerSchema
{
    public const string Name = "clinical_summary";

    public const string Description = "Cited clinical summary";

    /// <summary>The likelihoods a differential may carry.</summary>
    public static readonly IReadOnlyList<string> Likelihoods = ["high", "moderate", "low"];

    /// <summary>The serializer shape of the answer: camelCase names, nullable annotations respected (only the
    /// summary may be null).</summary>
    internal static readonly JsonSerializerOptions SerializerOptions = new(JsonSerializerDefaults.Web)
    {
        RespectNullableAnnotations = true,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    /// <summary>The schema as a JSON element.</summary>
    public static readonly JsonElement Schema = Create();

    /// <summary>The schema as a JSON document.</summary>
    public static string Json => Schema.GetRawText();

    /// <summary>Top-level schema members as the Azure.AI.Inference response-format API takes them.</summary>
    public static IDictionary<string, BinaryData> AsDictionary() =>
        Schema.EnumerateObject().ToDictionary(p => p.Name, p => BinaryData.FromString(p.Value.GetRawText()), StringComparer.Ordinal);

    /// <summary>The generated schema with every "$ref" (System.Text.Json refers to a repeated type's first
    /// occurrence) replaced by what it points at: each statement, and each cite array, stands on its own.</summary>
    private static JsonElement Create()
    {
        var generated = JsonNode.Parse(Generate().GetRawText())!;
        return JsonSerializer.SerializeToElement(Inline(generated, generated));
    }

    private static JsonNode? Inline(JsonNode? node, JsonNode root) => node switch
    {
        JsonObject o when o["$ref"] is JsonValue reference && reference.GetValue<string>() is ['#', ..] pointer
            => Inline(Resolve(root, pointer)?.DeepClone(), root),
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Inline(p.Value, root)))),
        JsonArray a => new JsonArray([.. a.Select(i => Inline(i, root))]),
        _ => node?.DeepClone(),
    };

    private static JsonNode? Resolve(JsonNode root, string pointer) =>
        pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Aggregate((JsonNode?)root, (node, segment) => node is JsonObject o ? o[segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)] : null);

    private static JsonElement Generate() => Microsoft.Extensions.AI.AIJsonUtilities.CreateJsonSchema(
        typeof(DraftAnswer),
        serializerOptions: SerializerOptions,
        inferenceOptions: new Microsoft.Extensions.AI.AIJsonSchemaCreateOptions
        {
            IncludeSchemaKeyword = false,
            TransformOptions = new Microsoft.Extensions.AI.AIJsonSchemaTransformOptions
            {
                DisallowAdditionalProperties = true,
                RequireAllProperties = true,
                ConvertBooleanSchemas = true,
            },
            TransformSchemaNode = static (context, node) =>
            {
                if (node is not JsonObject schema) return node;
                switch (context.PropertyInfo?.Name)
                {
                    case "cite" when schema["items"] is JsonObject items:
                        items["pattern"] = "^" + CitationKey.Grammar + "$";
                        break;
                    case "likelihood":
                        schema["enum"] = new JsonArray([.. Likelihoods.Select(l => (JsonNode)JsonValue.Create(l))]);
                        break;
                }
                return node;
            },
        });
}

/// <summary>How an answer was read.</summary>
public enum AnswerParse
{
    /// <summary>Valid JSON in the contract's shape.</summary>
    Structured,

    /// <summary>Not valid JSON (or not the contract): shown as raw text, marked unverified.</summary>
    RawText,
}

/// <summary>
/// Reads a drafter's answer tolerantly: code fences and text around the JSON object are ignored, "citations" is
/// accepted for "cite", a statement may be a plain string with inline [K] keys, and a truncated stream is closed
/// (open strings and containers) so that the part received so far can be shown while it streams.
/// </summary>
public static class DraftAnswerParser
{
    /// <summary>Parses a complete answer; null when it is not valid JSON in the contract's shape.</summary>
    public static DraftAnswer? TryParse(string raw) => TryParse(raw, out _);

    /// <summary>Parses a complete answer; null when it is not valid JSON in the contract's shape.
    /// <paramref name="invalidCitations"/> lists every entry of a cite position that is not a citation key ("the
    /// finding is supported", "6.8 mmol/L"): such entries are left out of the statement's keys (never rendered as
    /// chips) and are for the caller to report.</summary>
    public static DraftAnswer? TryParse(string raw, out IReadOnlyList<string> invalidCitations)
    {
        var invalid = new List<string>();
        invalidCitations = invalid;
        var json = ExtractObject(raw, requireEnd: true);
        if (json is null) return null;
        try
        {
            using var doc = JsonDocument.Parse(json);
            var answer = Map(doc.RootElement, invalid);
            if (answer is null || answer.IsEmpty) { invalid.Clear(); return null; }
            return answer;
        }
        catch (JsonException)
        {
            invalid.Clear();
            return null;
        }
    }

    /// <summary>Parses the part of a streamed answer received so far; null when nothing usable has arrived.</summary>
    public static DraftAnswer? TryParsePartial(string raw)
    {
        var json = ExtractObject(raw, requireEnd: false);
        if (json is null) return null;
        foreach (var candidate in Repairs(json))
        {
            try
            {
                using var doc = JsonDocument.Parse(candidate);
                return Map(doc.RootElement, []);
            }
            catch (JsonException)
            {
                // try the next, shorter repair
            }
        }
        return null;
    }

    private static string? ExtractObject(string raw, bool requireEnd)
    {
        if (string.IsNullOrEmpty(raw)) return null;
        var start = raw.IndexOf('{', StringComparison.Ordinal);
        if (start < 0) return null;
        if (!requireEnd) return raw[start..];
        var end = raw.LastIndexOf('}');
        return end < start ? null : raw[start..(end + 1)];
    }

    /// <summary>Closed-up versions of truncated JSON, most complete first: the open string closed where it ends,
    /// then cut back to the last complete value.</summary>
    internal static IEnumerable<string> Repairs(string json)
    {
        var stack = new StringBuilder();
        var inString = false;
        var escape = false;
        var stringIsKey = false;
        var expectKey = false;
        var safeLength = -1;
        var safeStack = "";

        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                if (escape) { escape = false; continue; }
                if (c == '\\') { escape = true; continue; }
                if (c == '"')
                {
                    inString = false;
                    if (!stringIsKey) { safeLength = i + 1; safeStack = stack.ToString(); }
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    inString = true;
                    stringIsKey = expectKey;
                    break;
                case '{':
                    stack.Append('{');
                    expectKey = true;
                    safeLength = i + 1; safeStack = stack.ToString();
                    break;
                case '[':
                    stack.Append('[');
                    expectKey = false;
                    safeLength = i + 1; safeStack = stack.ToString();
                    break;
                case '}' or ']':
                    if (stack.Length > 0) stack.Length--;
                    expectKey = false;
                    safeLength = i + 1; safeStack = stack.ToString();
                    break;
                case ':':
                    expectKey = false;
                    break;
                case ',':
                    safeLength = i; safeStack = stack.ToString();
                    expectKey = stack.Length > 0 && stack[^1] == '{';
                    break;
            }
        }

        if (inString && !stringIsKey)
        {
            var text = escape ? json[..^1] : json;
            // A half-received \u escape cannot be closed: drop it.
            var u = text.LastIndexOf("\\u", StringComparison.Ordinal);
            if (u >= 0 && text.Length - u < 6) text = text[..u];
            yield return text + "\"" + Closers(stack.ToString());
        }
        if (!inString && stack.Length == 0) yield return json;
        if (safeLength > 0) yield return json[..safeLength] + Closers(safeStack);
    }

    private static string Closers(string stack)
    {
        var sb = new StringBuilder(stack.Length);
        for (var i = stack.Length - 1; i >= 0; i--) sb.Append(stack[i] == '{' ? '}' : ']');
        return sb.ToString();
    }

    private static DraftAnswer? Map(JsonElement root, List<string> invalid)
    {
        if (root.ValueKind != JsonValueKind.Object) return null;
        return new DraftAnswer(
            Get(root, "summary") is { } s ? Statement(s, invalid) : null,
            Array(root, "problems").Select(p => Problem(p, invalid)).OfType<AnswerProblem>().ToList(),
            Statements(root, invalid, "keyFindings", "key_findings", "findings"),
            Array(root, "differentials", "differentialDiagnoses", "differential_diagnoses").Select(d => Differential(d, invalid)).OfType<AnswerDifferential>().ToList(),
            Statements(root, invalid, "nextSteps", "next_steps", "suggestedNextSteps"),
            Statements(root, invalid, "openQuestions", "open_questions", "questions"));
    }

    private static JsonElement? Get(JsonElement obj, params string[] names)
    {
        if (obj.ValueKind != JsonValueKind.Object) return null;
        foreach (var p in obj.EnumerateObject())
        {
            if (names.Any(n => string.Equals(n, p.Name, StringComparison.OrdinalIgnoreCase)) && p.Value.ValueKind != JsonValueKind.Null)
                return p.Value;
        }
        return null;
    }

    private static IEnumerable<JsonElement> Array(JsonElement obj, params string[] names) =>
        Get(obj, names) is { ValueKind: JsonValueKind.Array } a ? a.EnumerateArray().ToList() : [];

    private static List<CitedStatement> Statements(JsonElement obj, List<string> invalid, params string[] names) =>
        Array(obj, names).Select(e => Statement(e, invalid)).OfType<CitedStatement>().ToList();

    private static string Str(JsonElement? e) => e is { ValueKind: JsonValueKind.String } s ? s.GetString() ?? ""
        : e is { ValueKind: JsonValueKind.Number } n ? n.GetRawText() : "";

    private static List<string> Keys(JsonElement e, List<string> invalid)
    {
        var list = Get(e, "cite", "citations", "citation", "sources", "keys");
        var keys = new List<string>();
        if (list is { ValueKind: JsonValueKind.Array } a)
        {
            foreach (var k in a.EnumerateArray())
            {
                if (k.ValueKind == JsonValueKind.String) keys.AddRange(NormaliseKey(k.GetString()!, invalid));
                else invalid.Add(k.GetRawText());
            }
        }
        else if (list is { ValueKind: JsonValueKind.String } one)
        {
            keys.AddRange(NormaliseKey(one.GetString()!, invalid));
        }
        else if (list is { } other)
        {
            invalid.Add(other.GetRawText());
        }
        return keys;
    }

    /// <summary>"[L3]" → "L3"; "L1, L2" → both; "l3" → "L3". An entry with anything that is not a key in it ("the
    /// finding is supported", "K 6.8 mmol/L", "L3 shows it") is not a citation: it is reported in
    /// <paramref name="invalid"/> and yields no key.</summary>
    private static IEnumerable<string> NormaliseKey(string entry, List<string> invalid)
    {
        var tokens = entry.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(k => k.Trim('[', ']', ' ').ToUpperInvariant()).Where(k => k.Length > 0).ToList();
        if (tokens.All(CitationKey.IsKey)) return tokens;
        invalid.Add(entry.Trim());
        return [];
    }

    /// <summary>A statement object, or a plain string whose inline [K] keys become its citations.</summary>
    private static CitedStatement? Statement(JsonElement e, List<string> invalid)
    {
        if (e.ValueKind == JsonValueKind.String) return FromInline(e.GetString() ?? "");
        if (e.ValueKind != JsonValueKind.Object) return null;
        var text = Str(Get(e, "text", "statement", "value"));
        var inline = FromInline(text);
        var keys = Keys(e, invalid);
        return new CitedStatement(inline.Text, [.. keys.Concat(inline.Cite).Distinct(StringComparer.Ordinal)]);
    }

    private static CitedStatement FromInline(string text)
    {
        var keys = CitationVerifier.KeysIn(text).ToList();
        var bare = keys.Count == 0 ? text : CitationKey.StripBrackets(text);
        return new CitedStatement(bare.Trim(), keys);
    }

    private static AnswerProblem? Problem(JsonElement e, List<string> invalid)
    {
        if (e.ValueKind == JsonValueKind.String) { var s = FromInline(e.GetString() ?? ""); return new AnswerProblem(s.Text, "", s.Cite); }
        if (e.ValueKind != JsonValueKind.Object) return null;
        var problem = FromInline(Str(Get(e, "problem", "name", "display")));
        var assessment = FromInline(Str(Get(e, "assessment", "status")));
        return new AnswerProblem(problem.Text, assessment.Text, [.. Keys(e, invalid).Concat(problem.Cite).Concat(assessment.Cite).Distinct(StringComparer.Ordinal)]);
    }

    private static AnswerDifferential? Differential(JsonElement e, List<string> invalid)
    {
        if (e.ValueKind != JsonValueKind.Object) return null;
        return new AnswerDifferential(
            Str(Get(e, "diagnosis", "name")),
            Str(Get(e, "likelihood", "probability")).ToLower(CultureInfo.InvariantCulture),
            Statements(e, invalid, "supporting", "supportingEvidence", "for"),
            Statements(e, invalid, "opposing", "opposingEvidence", "against"));
    }
}

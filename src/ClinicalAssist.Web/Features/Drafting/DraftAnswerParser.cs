using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicalAssist.Web.Features.Drafting;

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
            Statements(root, invalid, "openQuestions", "open_questions", "questions"))
        {
            Medications = Statements(root, invalid, "medications", "medicationList"),
            Allergies = Statements(root, invalid, "allergies", "allergyList"),
        };
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
        return new AnswerProblem(problem.Text, assessment.Text, [.. Keys(e, invalid).Concat(problem.Cite).Concat(assessment.Cite).Distinct(StringComparer.Ordinal)])
        {
            Evidence = Statements(e, invalid, "evidence", "results"),
            Plan = Get(e, "plan") is { ValueKind: JsonValueKind.String } one ? [FromInline(one.GetString() ?? "")] : Statements(e, invalid, "plan"),
        };
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

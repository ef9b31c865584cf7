using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Tests.Drafting;

public sealed class DraftAnswerParserTests
{
    private const string Valid = """
        {"summary":{"text":"67-year-old with hyperkalaemia","cite":["E1"]},
         "problems":[{"problem":"Hyperkalaemia","assessment":"improving, potassium 5.4 mmol/L","cite":["P2","L6"]}],
         "keyFindings":[{"text":"Hemoglobin 6.9 g/dL, critically low","cite":["L5"]}],
         "differentials":[{"diagnosis":"Acute kidney injury on CKD","likelihood":"moderate",
            "supporting":[{"text":"Creatinine 2.1 mg/dL, up from 1.9 mg/dL","cite":["L2","L4"]}],
            "opposing":[{"text":"Known CKD stage 3","cite":["P1"]}]}],
         "nextSteps":[{"text":"Review amoxicillin given the penicillin allergy","cite":["A1","M1"]}],
         "openQuestions":[{"text":"Need: urine output","cite":[]}]}
        """;

    [Fact]
    public void Reads_the_contract_and_renders_every_section_with_citations()
    {
        var answer = DraftAnswerParser.TryParse(Valid);

        Assert.NotNull(answer);
        var text = answer.ToText();
        Assert.Equal(
            "## Summary\n- 67-year-old with hyperkalaemia [E1]\n\n" +
            "## Active problems\n- Hyperkalaemia: improving, potassium 5.4 mmol/L [P2][L6]\n\n" +
            "## Medications\n- No medication statements given.\n\n" +
            "## Allergies\n- No allergy statements given.\n\n" +
            "## Key findings\n- Hemoglobin 6.9 g/dL, critically low [L5]\n\n" +
            "## Differential diagnoses\n- Acute kidney injury on CKD — moderate likelihood; for: Creatinine 2.1 mg/dL, up from 1.9 mg/dL [L2][L4]; against: Known CKD stage 3 [P1]\n\n" +
            "## Suggested next steps\n- Review amoxicillin given the penicillin allergy [A1][M1]\n\n" +
            "## Open questions\n- Need: urine output\n", text);
        Assert.Equal(DraftAnswer.Sections, text.Split('\n').Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l[3..]));
    }

    [Fact]
    public void Round_trips_through_its_own_json()
    {
        var answer = DraftAnswerParser.TryParse(Valid)!;
        Assert.Equal(answer.ToText(), DraftAnswerParser.TryParse(answer.ToJson())!.ToText());
    }

    [Fact]
    public void Tolerates_fences_aliases_and_inline_citations()
    {
        const string raw = "Here is the summary:\n```json\n{\"Summary\":\"Stable [E1]\",\"key_findings\":[\"Potassium 5.4 mmol/L [L6]\",{\"statement\":\"Hb low\",\"citations\":\"[L5]\"}]}\n```";

        var answer = DraftAnswerParser.TryParse(raw);

        Assert.NotNull(answer);
        Assert.Equal("Stable", answer.Summary!.Text);
        Assert.Equal(["E1"], answer.Summary.Cite);
        Assert.Equal(["L6"], answer.KeyFindings[0].Cite);
        Assert.Equal("Potassium 5.4 mmol/L", answer.KeyFindings[0].Text);
        Assert.Equal(["L5"], answer.KeyFindings[1].Cite);
    }

    [Theory]
    [InlineData("")]
    [InlineData("## Summary\n- Plain markdown [E1]")]
    [InlineData("{\"summary\": {\"text\": \"cut")]
    [InlineData("{\"unrelated\": 1}")]
    [InlineData("[1, 2, 3]")]
    public void A_complete_answer_that_is_not_the_contract_is_rejected(string raw) => Assert.Null(DraftAnswerParser.TryParse(raw));

    [Fact]
    public void Every_prefix_of_a_streamed_answer_parses_and_grows_monotonically()
    {
        var previousStatements = 0;
        var rendered = 0;
        for (var i = 1; i <= Valid.Length; i++)
        {
            var partial = DraftAnswerParser.TryParsePartial(Valid[..i]);
            if (partial is null) continue;
            rendered++;
            var text = partial.ToText(partial: true);
            var statements = text.Split('\n').Count(l => l.StartsWith("- ", StringComparison.Ordinal));
            Assert.True(statements >= previousStatements, $"statements went from {previousStatements} to {statements} at {i}");
            previousStatements = statements;
        }
        Assert.True(rendered > Valid.Length * 9 / 10, $"{rendered} of {Valid.Length} prefixes rendered");
        Assert.Equal(DraftAnswerParser.TryParse(Valid)!.ToText(), DraftAnswerParser.TryParsePartial(Valid)!.ToText());
    }

    [Fact]
    public void A_partial_string_value_is_shown_as_it_arrives()
    {
        var partial = DraftAnswerParser.TryParsePartial("{\"summary\":{\"text\":\"67-year-old with hyperka");
        Assert.Equal("## Summary\n- 67-year-old with hyperka\n", partial!.ToText(partial: true));
    }

    [Fact]
    public void The_schema_is_valid_json_with_every_member_required()
    {
        var schema = DraftAnswerSchema.Schema;
        Assert.Equal("object", schema.GetProperty("type").GetString());
        var required = System.Text.Json.JsonSerializer.Deserialize<string[]>(schema.GetProperty("required"))!;
        Assert.Equal(["summary", "problems", "keyFindings", "differentials", "nextSteps", "openQuestions", "medications", "allergies"], required);
    }

    [Fact]
    public void Anything_in_a_cite_position_that_is_not_a_key_is_reported_and_never_becomes_a_key()
    {
        const string answer = """
            {"summary":{"text":"Stable","cite":["Finding 2 is supported", "[L1]", "l2"]},
             "problems":[{"problem":"Hyperkalaemia","assessment":"treated","cite":["P1, P2", "see the potassium 6.8 result", 7]}],
             "keyFindings":[{"text":"Troponin rising","cite":"L3 shows it"}],
             "differentials":[],"nextSteps":[],"openQuestions":[]}
            """;

        var parsed = DraftAnswerParser.TryParse(answer, out var invalid);

        Assert.NotNull(parsed);
        Assert.Equal(["L1", "L2"], parsed.Summary!.Cite);
        Assert.Equal(["P1", "P2"], parsed.Problems[0].Cite);
        Assert.Empty(parsed.KeyFindings[0].Cite);
        Assert.Equal(["Finding 2 is supported", "see the potassium 6.8 result", "7", "L3 shows it"], invalid);
        Assert.DoesNotContain("[FINDING]", parsed.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_cite_array_of_the_schema_carries_the_one_key_grammar()
    {
        using var doc = System.Text.Json.JsonDocument.Parse(DraftAnswerSchema.Json);
        var patterns = new List<string?>();
        void Walk(System.Text.Json.JsonElement e)
        {
            if (e.ValueKind == System.Text.Json.JsonValueKind.Object)
            {
                foreach (var p in e.EnumerateObject())
                {
                    if (p.Name == "cite") patterns.Add(p.Value.GetProperty("items").TryGetProperty("pattern", out var pattern) ? pattern.GetString() : null);
                    Walk(p.Value);
                }
            }
            else if (e.ValueKind == System.Text.Json.JsonValueKind.Array)
            {
                foreach (var item in e.EnumerateArray()) Walk(item);
            }
        }
        Walk(doc.RootElement);

        Assert.NotEmpty(patterns);
        Assert.All(patterns, p => Assert.Equal("^" + CitationKey.Grammar + "$", p));
    }
}

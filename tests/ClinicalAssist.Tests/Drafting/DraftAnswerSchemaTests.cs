using System.Text.Json.Nodes;
using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>The answer's JSON schema is generated from the C# answer type (one source of truth).</summary>
public sealed class DraftAnswerSchemaTests
{
    private static IEnumerable<(string Path, JsonObject Node)> Properties(JsonNode? node, string path = "$")
    {
        if (node is JsonObject obj)
        {
            if (obj["properties"] is JsonObject props)
            {
                foreach (var (name, value) in props)
                {
                    if (value is JsonObject p) yield return ($"{path}.{name}", p);
                    foreach (var inner in Properties(value, $"{path}.{name}")) yield return inner;
                }
            }
            foreach (var key in new[] { "items", "anyOf" })
            {
                if (obj[key] is JsonObject items) foreach (var inner in Properties(items, path + "[]")) yield return inner;
                if (obj[key] is JsonArray any) foreach (var alt in any) foreach (var inner in Properties(alt, path)) yield return inner;
            }
        }
    }

    [Fact]
    public void Every_cite_array_carries_the_citation_key_pattern_including_problems()
    {
        var schema = JsonNode.Parse(DraftAnswerSchema.Json);

        var cites = Properties(schema).Where(p => p.Path.EndsWith(".cite", StringComparison.Ordinal)).ToList();

        Assert.Contains(cites, c => c.Path == "$.problems[].cite");
        Assert.Contains(cites, c => c.Path == "$.summary.cite");
        Assert.Contains(cites, c => c.Path == "$.differentials[].supporting[].cite");
        Assert.All(cites, c => Assert.Equal("^" + CitationKey.Grammar + "$", (string?)c.Node["items"]?["pattern"]));
    }

    [Fact]
    public void Is_strict_ready_every_property_required_no_additional_properties_and_the_likelihoods_enumerated()
    {
        var schema = JsonNode.Parse(DraftAnswerSchema.Json)!.AsObject();

        Assert.Equal(["summary", "problems", "keyFindings", "differentials", "nextSteps", "openQuestions", "medications", "allergies"],
            schema["required"]!.AsArray().Select(n => (string)n!).ToArray());
        Assert.False((bool?)schema["additionalProperties"]);
        Assert.DoesNotContain("isEmpty", DraftAnswerSchema.Json, StringComparison.OrdinalIgnoreCase);
        var likelihood = Properties(schema).Single(p => p.Path == "$.differentials[].likelihood").Node;
        Assert.Equal(DraftAnswerSchema.Likelihoods, likelihood["enum"]!.AsArray().Select(n => (string)n!).ToArray());
    }

    [Fact]
    public void An_answer_serialised_by_the_offline_drafter_parses_back()
    {
        var context = DraftingTestData.Context();
        var answer = new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero).ComposeAnswer(context, CitationIndex.Build(context));

        var parsed = DraftAnswerParser.TryParse(answer.ToJson());

        Assert.NotNull(parsed);
        Assert.Equal(answer.ToText(), parsed.ToText());
    }
}

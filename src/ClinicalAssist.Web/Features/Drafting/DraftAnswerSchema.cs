using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicalAssist.Web.Features.Drafting;

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

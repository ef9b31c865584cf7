using System.Runtime.InteropServices;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Reads FHIR Bundle JSON one entry at a time, so a malformed entry costs only itself, and rewrites
/// urn:uuid / urn:oid references (Synthea transaction bundles) to the "Type/id" form the rest of the app uses.</summary>
internal static class FhirBundleReader
{
    /// <summary>How every FHIR source reads resources: Firely's recoverable mode (an unknown element or a bad value
    /// costs only that value) without the model-validation pass. Validation results were discarded anyway (the
    /// builder checks what it uses: dates, units, ranges), and the pass was ~60 % of the parse time; the values the
    /// POCOs hold are the same (tested over all Synthea samples).</summary>
    internal static readonly FhirJsonConverterOptions ReadOptions =
        (FhirJsonConverterOptions)new FhirJsonConverterOptions().UsingMode(DeserializationMode.Recoverable) with { Validator = null };

    private static readonly FhirJsonDeserializer Deserializer = new(ReadOptions);

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 256 };

    public sealed record Entry(string? FullUrl, string ResourceType, JsonElement Json);

    public static JsonDocument Parse(ReadOnlyMemory<byte> utf8) => JsonDocument.Parse(utf8, DocumentOptions);

    /// <summary>The entries of a Bundle document (empty when the document is not a Bundle).</summary>
    public static IEnumerable<Entry> Entries(JsonDocument document)
    {
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("resourceType", out var type) || type.ValueKind != JsonValueKind.String || !type.ValueEquals("Bundle")
            || !root.TryGetProperty("entry", out var entries) || entries.ValueKind != JsonValueKind.Array)
        {
            yield break;
        }

        foreach (var entry in entries.EnumerateArray())
        {
            if (entry.ValueKind != JsonValueKind.Object
                || !entry.TryGetProperty("resource", out var resource) || resource.ValueKind != JsonValueKind.Object
                || !resource.TryGetProperty("resourceType", out var resourceType) || resourceType.ValueKind != JsonValueKind.String)
            {
                continue;
            }

            var fullUrl = entry.TryGetProperty("fullUrl", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString() : null;
            yield return new Entry(fullUrl, resourceType.GetString()!, resource);
        }
    }

    /// <summary>A POCO for the entry's resource, or null when it cannot be read. Partially valid resources
    /// (e.g. an unknown code in one element) are kept: the builder skips what it cannot use.</summary>
    public static Resource? Deserialize(Entry entry)
    {
        var reader = new Utf8JsonReader(JsonMarshal.GetRawUtf8Value(entry.Json));
        try
        {
            Deserializer.TryDeserializeResource(ref reader, out var resource, out _);
            if (resource is not null && string.IsNullOrEmpty(resource.Id) && UuidOf(entry.FullUrl) is { } uuid)
            {
                resource.Id = uuid;
            }

            return resource;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or DeserializationFailedException)
        {
            return null;
        }
    }

    /// <summary>Maps each entry's urn:uuid/urn:oid fullUrl to "Type/id" and rewrites every reference that uses it,
    /// in place (contained resources included).</summary>
    public static void ResolveUrnReferences(IReadOnlyList<(string? FullUrl, Resource Resource)> entries)
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (fullUrl, resource) in entries)
        {
            if (fullUrl is not null && fullUrl.StartsWith("urn:", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(resource.Id))
            {
                map.TryAdd(fullUrl, $"{resource.TypeName}/{resource.Id}");
            }
        }

        if (map.Count == 0)
        {
            return;
        }

        foreach (var (_, resource) in entries)
        {
            Rewrite(resource, map, depth: 0);
        }
    }

    private static void Rewrite(Base element, Dictionary<string, string> map, int depth)
    {
        if (depth > 64)
        {
            return; // far deeper than any real FHIR resource; guards against pathological input
        }

        if (element is ResourceReference reference && reference.Reference is { } target && map.TryGetValue(target, out var resolved))
        {
            reference.Reference = resolved;
        }

        foreach (var (_, value) in element.EnumerateElements())
        {
            switch (value)
            {
                case Base child:
                    Rewrite(child, map, depth + 1);
                    break;
                case IEnumerable<Base> children:
                    foreach (var child in children)
                    {
                        Rewrite(child, map, depth + 1);
                    }

                    break;
            }
        }
    }

    private static string? UuidOf(string? fullUrl) =>
        fullUrl is not null && fullUrl.StartsWith("urn:uuid:", StringComparison.OrdinalIgnoreCase) && fullUrl.Length > 9
            ? fullUrl[9..]
            : null;
}

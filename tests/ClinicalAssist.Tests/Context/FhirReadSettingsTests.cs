using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using ClinicalAssist.Web.Features.Context;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>Every source reads FHIR JSON without Firely's model-validation pass (<see cref="FhirBundleReader.ReadOptions"/>).
/// These tests hold that to what it claims: the resources read are the same as with the validating recoverable mode,
/// and bad values are still kept or dropped the same way.</summary>
public sealed class FhirReadSettingsTests
{
    private static readonly FhirJsonDeserializer Validating = new(new DeserializerSettings().UsingMode(DeserializationMode.Recoverable));
    private static readonly FhirJsonDeserializer Reading = new(FhirBundleReader.ReadOptions);
    private static readonly FhirJsonSerializer Serializer = new();

    [Fact]
    public void Reading_without_validation_yields_the_same_resources_for_every_Synthea_sample()
    {
        var files = Directory.GetFiles(SyntheaDirectory(), "*.json");
        Assert.Equal(41, files.Length);
        var resources = 0;
        foreach (var file in files)
        {
            var json = File.ReadAllText(file);
            var expected = Validating.Deserialize<Bundle>(json);
            var actual = Reading.Deserialize<Bundle>(json);
            Assert.Equal(expected.Entry.Count, actual.Entry.Count);
            Assert.Equal(Serializer.SerializeToString(expected), Serializer.SerializeToString(actual));
            resources += actual.Entry.Count;
        }

        Assert.True(resources > 10_000, $"only {resources} resources compared");
    }

    [Theory]
    [InlineData("""{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"Hb"},"effectiveDateTime":"2024-13-45","valueQuantity":{"value":13.5,"unit":"g/dL"}}""")]
    [InlineData("""{"resourceType":"Observation","id":"o1","status":"not-a-status","code":{"text":"Hb"},"valueQuantity":{"value":13.5,"unit":"g/dL"}}""")]
    [InlineData("""{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"Hb"},"futureElement":{"x":1},"valueQuantity":{"value":13.5}}""")]
    [InlineData("""{"resourceType":"Observation","id":"o1","code":{"text":"Hb"},"valueQuantity":{"value":"13.5","unit":"g/dL"}}""")]
    [InlineData("""{"resourceType":"Condition","id":"c1","code":{"coding":[{"system":"http://snomed.info/sct","code":" bad code "}]},"subject":{"reference":"Patient/p"}}""")]
    public void Bad_values_are_read_the_same_with_and_without_validation(string json)
    {
        var expected = TryRead(Validating, json);
        var actual = TryRead(Reading, json);
        Assert.NotNull(expected); // recoverable: the resource is kept, the bad value is what is lost
        Assert.NotNull(actual);
        Assert.Equal(Serializer.SerializeToString(expected), Serializer.SerializeToString(actual));
    }

    private static Resource? TryRead(FhirJsonDeserializer deserializer, string json)
    {
        try
        {
            return deserializer.Deserialize<Resource>(json);
        }
        catch (DeserializationFailedException ex)
        {
            return ex.PartialResult as Resource;
        }
    }
}

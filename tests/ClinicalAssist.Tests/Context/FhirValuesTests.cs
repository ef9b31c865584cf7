using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using ClinicalAssist.Web.Features.Context;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>The hot-path readers of <see cref="FhirValues"/>: the subject and search-mode checks must read as the typed
/// API does.</summary>
public sealed class FhirValuesTests
{
    [Theory]
    [InlineData("Patient/p1", "p1", true)]
    [InlineData("Patient/p2", "p1", false)]
    [InlineData("http://fhir.example/r4/Patient/p1/_history/3", "p1", true)]
    [InlineData("http://fhir.example/r4/Patient/p2/_history/3", "p1", false)]
    [InlineData("Patient/p1/", "p1", true)]
    [InlineData("Group/g1", "p1", true)]
    [InlineData("patient/p2", "p1", true)]
    [InlineData("#contained", "p1", true)]
    [InlineData("urn:uuid:5a1f", "p1", true)]
    [InlineData("p2", "p1", true)]
    [InlineData("Patient/", "p1", true)]
    [InlineData("Patient//p2", "p1", true)]
    [InlineData("/p2", "p1", true)]
    [InlineData("", "p1", true)]
    [InlineData(null, "p1", true)]
    public void A_subject_is_the_patients_unless_it_names_another_patient(string? reference, string patientId, bool expected)
    {
        var subject = reference is null ? null : new ResourceReference(reference);
        Assert.Equal(expected, FhirValues.IsForPatient(subject, patientId));
        // The same answer as reading the reference key.
        var key = FhirValues.ReferenceKey(subject);
        Assert.Equal(key is null || !key.StartsWith("Patient/", StringComparison.Ordinal) || key == "Patient/" + patientId, expected);
    }

    [Theory]
    [InlineData("match", true, false)]
    [InlineData("include", false, true)]
    [InlineData("outcome", false, false)]
    [InlineData(null, true, false)]
    public void Search_mode_is_read_as_the_typed_mode(string? mode, bool match, bool include)
    {
        var entry = new Bundle.EntryComponent { Resource = new Observation { Id = "o1" } };
        if (mode is not null)
        {
            entry.Search = new Bundle.SearchComponent { Mode = Hl7.Fhir.Utility.EnumUtility.ParseLiteral<Bundle.SearchEntryMode>(mode) };
        }

        Assert.Equal(match, FhirValues.IsMatch(entry));
        Assert.Equal(include, FhirValues.IsInclude(entry));
        Assert.Equal(entry.Search?.Mode is null or Bundle.SearchEntryMode.Match, FhirValues.IsMatch(entry));
        Assert.Equal(entry.Search?.Mode is Bundle.SearchEntryMode.Include, FhirValues.IsInclude(entry));
    }

    [Fact]
    public void Search_mode_read_from_a_page_is_the_same()
    {
        var reader = new FhirJsonDeserializer(FhirBundleReader.ReadOptions);
        var bundle = reader.Deserialize<Bundle>("""
            {"resourceType":"Bundle","type":"searchset","entry":[
              {"resource":{"resourceType":"Observation","id":"a"},"search":{"mode":"match"}},
              {"resource":{"resourceType":"Medication","id":"b"},"search":{"mode":"include"}},
              {"resource":{"resourceType":"OperationOutcome","id":"c"},"search":{"mode":"outcome"}},
              {"resource":{"resourceType":"Observation","id":"d"}}]}
            """);
        Assert.Equal([true, false, false, true], bundle.Entry.Select(FhirValues.IsMatch));
        Assert.Equal([false, true, false, false], bundle.Entry.Select(FhirValues.IsInclude));
    }

    private static void AssertSame(DateTimeOffset expected, DateTimeOffset actual, string? text)
    {
        Assert.True(expected.UtcTicks == actual.UtcTicks && expected.Offset == actual.Offset,
            $"{text}: Firely {expected:O}, fast {actual:O}");
    }

    private static IEnumerable<Base> Walk(Base node)
    {
        yield return node;
        foreach (var (_, value) in node.EnumerateElements())
        {
            var children = value switch
            {
                Base single => [single],
                IEnumerable<Base> list => list,
                _ => [],
            };
            foreach (var child in children)
            {
                foreach (var descendant in Walk(child))
                {
                    yield return descendant;
                }
            }
        }
    }
}

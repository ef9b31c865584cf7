using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using ClinicalAssist.Web.Features.Context;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>The hot-path readers of <see cref="FhirValues"/>. <see cref="FhirValues.TryParseDateTime"/> reads dates
/// without Firely's regular expression: it must give Firely's answer (instant and offset) whenever it answers at all,
/// and leave everything else to Firely. The subject and search-mode checks must read as the typed API does.</summary>
public sealed class FhirValuesTests
{
    [Fact]
    public void Every_date_and_dateTime_in_the_Synthea_samples_reads_as_Firely_reads_it()
    {
        var reader = new FhirJsonDeserializer(FhirBundleReader.ReadOptions);
        var dateTimes = 0;
        var dates = 0;
        foreach (var file in Directory.GetFiles(SyntheaDirectory(), "*.json"))
        {
            foreach (var element in Walk(reader.Deserialize<Bundle>(File.ReadAllText(file))))
            {
                switch (element)
                {
                    case FhirDateTime dateTime:
                        Assert.True(dateTime.TryToDateTimeOffset(TimeSpan.Zero, out var firely), dateTime.Value);
                        Assert.True(FhirValues.TryParseDateTime(dateTime.Value, out var fast), $"fast path refused {dateTime.Value}");
                        AssertSame(firely, fast, dateTime.Value);
                        dateTimes++;
                        break;
                    case Date date:
                        Assert.True(date.TryToDateTimeOffset(out var firelyDate), date.Value);
                        Assert.True(FhirValues.TryParseDateTime(date.Value, out var fastDate), $"fast path refused {date.Value}");
                        AssertSame(firelyDate, fastDate, date.Value);
                        dates++;
                        break;
                }
            }
        }

        Assert.True(dateTimes > 10_000, $"only {dateTimes} dateTimes compared");
        Assert.True(dates > 40, $"only {dates} dates compared");
    }

    [Theory]
    [InlineData("2020")]
    [InlineData("2020-02")]
    [InlineData("2020-02-29")]
    [InlineData("0001-01-01")]
    [InlineData("9999-12-31")]
    [InlineData("2020-01-01T10:00:00Z")]
    [InlineData("2020-01-01T23:59:59+14:00")]
    [InlineData("2020-01-01T00:00:00-12:00")]
    [InlineData("2020-01-01T10:00:00-05:30")]
    [InlineData("2020-01-01T10:00:00.1Z")]
    [InlineData("2020-01-01T10:00:00.123+02:00")]
    [InlineData("2020-01-01T10:00:00.1234567Z")]
    public void Common_shapes_are_read_fast_and_exactly_as_Firely_reads_them(string text)
    {
        Assert.True(FhirValues.TryParseDateTime(text, out var fast));
        Assert.True(new FhirDateTime(text).TryToDateTimeOffset(TimeSpan.Zero, out var firely));
        AssertSame(firely, fast, text);
        Assert.Equal(firely, FhirValues.ToDateTimeOffset(new FhirDateTime(text)));
    }

    [Theory]
    [InlineData("2021-02-29")]
    [InlineData("2020-13")]
    [InlineData("2020-00-10")]
    [InlineData("2020-01-32")]
    [InlineData("2020-1-5")]
    [InlineData("20200105")]
    [InlineData("2020-01-01T10:00:00")]
    [InlineData("2020-01-01T24:00:00Z")]
    [InlineData("2020-01-01T10:60:00Z")]
    [InlineData("2020-01-01T23:59:60Z")]
    [InlineData("2020-01-01T10:00Z")]
    [InlineData("2020-01-01T10:00:00.123456789Z")]
    [InlineData("2020-01-01T10:00:00.Z")]
    [InlineData("2020-01-01T10:00:00+15:00")]
    [InlineData("2020-01-01T10:00:00+0500")]
    [InlineData("2020-01-01T10:00:00 ")]
    [InlineData("2020-01-01 10:00:00")]
    [InlineData("0000")]
    [InlineData("abcd")]
    [InlineData("")]
    public void Other_text_is_left_to_Firely_and_gives_Firelys_answer(string text)
    {
        Assert.False(FhirValues.TryParseDateTime(text, out _));
        var dateTime = new FhirDateTime(text);
        DateTimeOffset? firely = dateTime.TryToDateTimeOffset(TimeSpan.Zero, out var value) ? value : null;
        Assert.Equal(firely, FhirValues.ToDateTimeOffset(dateTime));
    }

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

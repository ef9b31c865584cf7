using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using Hl7.Fhir.Model;

namespace ClinicalAssist.Tests.Context;

/// <summary>The section table (<see cref="ContextSections"/>) is the one declaration the reader, the builder, the chart
/// page, the prompt and the citation index read: its keys, letters and searches must be unambiguous.</summary>
public sealed class ContextSectionsTests
{
    [Fact]
    public void Keys_labels_and_citation_letters_are_unique()
    {
        Assert.Equal(ContextSections.All.Count, ContextSections.Keys.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(ContextSections.All.Count, ContextSections.All.Select(s => s.Label).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(ContextSections.CitationAlphabet.Length, ContextSections.CitationAlphabet.Distinct().Count());
        Assert.Equal(ContextSections.Prompted.Count, ContextSections.Prompted.Select(s => s.Prompt!.Order).Distinct().Count());
    }

    [Fact]
    public void Every_issued_citation_key_is_a_key_of_the_grammar()
    {
        foreach (var letter in ContextSections.CitationAlphabet)
        {
            Assert.True(CitationKey.IsKey($"{letter}1"), $"{letter}1");
            Assert.True(CitationKey.IsKey($"{letter}99999"), $"{letter}99999");
        }

        Assert.StartsWith("EPAML", ContextSections.CitationAlphabet, StringComparison.Ordinal); // stored drafts' keys keep their meaning
    }

    [Fact]
    public void A_search_shared_by_two_sections_is_run_once_and_feeds_both()
    {
        Assert.Equal(ContextSections.Searches.Count, ContextSections.Searches.Select(s => s.Search.Key).Distinct(StringComparer.Ordinal).Count());
        var encounter = Assert.Single(ContextSections.Searches, s => s.Search.Type == "Encounter");
        Assert.Equal(["Encounter", "EncounterHistory"], encounter.Sections);
        // Labs and vitals each search their own category, sorted newest first (capped at what the section shows); other
        // observations search without a category, so that no category is left on the server.
        Assert.Equal([("category=laboratory", "Labs"), ("category=vital-signs,vital-sign", "Vitals"), (null, "OtherObservations")],
            ContextSections.Searches.Where(s => s.Search.Type == "Observation").Select(s => (s.Search.Filter, Assert.Single(s.Sections))));
        Assert.All(ContextSections.Searches.Where(s => s.Search.Type == "Observation"), s => Assert.Equal("-date", s.Search.Sort));
        Assert.Null(Assert.Single(ContextSections.Searches, s => s.Search.Type == "Condition").Search.Sort);
        Assert.Equal(ContextSections.Types.Count, ContextSections.Types.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Date_elements_and_plurals_come_from_the_declared_searches()
    {
        var when = new FhirDateTime("2024-05-01T10:00:00Z");
        Assert.Same(when, ContextSections.DateElement(new Observation { Effective = when }));
        Assert.Same(when, ContextSections.DateElement(new Procedure { Performed = when }));
        Assert.Null(ContextSections.DateElement(new Condition { Onset = when })); // Conditions are not searched by date
        Assert.Equal("observations", ContextSections.Plural("Observation"));
        Assert.Equal("medication orders", ContextSections.Plural("MedicationRequest"));
        Assert.Equal("resources", ContextSections.Plural("Basic"));
        Assert.Equal("Diagnostic reports", ContextSections.Label("Reports"));
        Assert.Equal("Somewhere", ContextSections.Label("Somewhere"));
    }
}

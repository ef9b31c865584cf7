using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Tests.Drafting;

public sealed class CitationIndexTests
{
    [Fact]
    public void Keys_are_positional_per_section_and_resolve_back_to_the_exact_resource_version()
    {
        var context = DraftingTestData.Context();
        var index = CitationIndex.Build(context);

        Assert.Equal("E1", index.KeyFor(context.Encounter!.Source));
        for (var i = 0; i < context.Labs.Count; i++)
        {
            var key = index.KeyFor(context.Labs[i].Source);
            Assert.Equal("L" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), key);
            Assert.True(index.TryResolve(key, out var back));
            Assert.Same(context.Labs[i].Source, back);
        }
        Assert.Equal("N2", index.KeyFor(context.Notes[1].Source));
        Assert.Equal(1 + context.Conditions.Count + context.Allergies.Count + context.Medications.Count + context.Labs.Count + context.Vitals.Count + context.Notes.Count,
            index.Entries.Count());
    }

    [Theory]
    [InlineData("L0")]
    [InlineData("L01")]
    [InlineData("L-1")]
    [InlineData("L 1")]
    [InlineData("L+1")]
    [InlineData("L999")]
    [InlineData("X1")]
    [InlineData("L")]
    [InlineData("")]
    [InlineData("l1")]
    public void Keys_that_were_never_issued_do_not_resolve(string key)
    {
        var index = CitationIndex.Build(DraftingTestData.Context());

        Assert.False(index.TryResolve(key, out _));
    }

    [Fact]
    public void A_resource_listed_twice_keeps_its_first_key_and_numbering_stays_dense()
    {
        var context = DraftingTestData.Context();
        var duplicated = new PatientContext
        {
            Patient = context.Patient, Encounter = context.Encounter, Conditions = context.Conditions,
            Labs = [.. context.Labs, context.Labs[0] with { Display = "repeat" }],
        };
        var index = CitationIndex.Build(duplicated);

        Assert.Equal("L1", index.KeyFor(duplicated.Labs[^1].Source));
        Assert.Equal(context.Labs.Count, index.Entries.Count(e => e.Key.StartsWith('L')));
        Assert.Throws<KeyNotFoundException>(() => index.KeyFor(new ResourceRef("Observation", "not-in-context")));
    }

    [Fact]
    public void A_stored_map_rebuilds_the_same_keys_in_both_directions()
    {
        var context = DraftingTestData.Context();
        var built = CitationIndex.Build(context);
        var stored = CitationIndex.FromMap(built.Entries.ToDictionary(e => e.Key, e => e.Value));

        foreach (var (key, reference) in built.Entries)
        {
            Assert.Equal(key, stored.KeyFor(reference));
            Assert.True(stored.TryResolve(key, out var back));
            Assert.Equal(reference, back);
        }
        Assert.False(stored.TryResolve("L999", out _));
    }

    [Fact]
    public void A_ten_thousand_resource_index_is_built_without_large_object_heap_tables()
    {
        var baseContext = DraftingTestData.Context();
        var at = new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
        var context = new PatientContext
        {
            Patient = baseContext.Patient,
            Labs = [.. Enumerable.Range(0, 10_000).Select(i => new ContextObservation(new ResourceRef("Observation", "lab-" + i, "1"), "laboratory",
                "Potassium", "2823-3", 4.1m, "mmol/L", null, "3.5-5.1 mmol/L", null, at.AddMinutes(-i), []))],
        };
        CitationIndex.Build(context); // warm-up (JIT)
        var before = GC.GetAllocatedBytesForCurrentThread();

        var index = CitationIndex.Build(context);

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(10_000, index.Entries.Count());
        // Positional keys, shards under the 85 KB threshold: well under 1 MB for 10,000 items (was about 3 MB).
        Assert.True(allocated < 1_000_000, $"allocated {allocated:N0} bytes");
        Assert.Equal("L10000", index.KeyFor(context.Labs[^1].Source));
    }
}

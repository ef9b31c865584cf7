using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Tests.Drafting;

public sealed class CitationVerifierTests
{
    private static readonly CitationIndex Index = CitationIndex.Build(DraftingTestData.Context());

    private static CitationCheck Verify(string draft) => new CitationVerifier().Verify(draft, Index);

    [Fact]
    public void A_fully_cited_draft_is_clean_and_lists_the_cited_resources_once_in_order()
    {
        const string draft = """
            ## Summary
            - 67-year-old female admitted with hyperkalaemia [E1].

            ## Key findings
            - Potassium 6.8 mmol/L (high) on admission, 5.4 mmol/L today [L1][L6].
            - Potassium remains above range [L6]. Creatinine 2.1 mg/dL is rising [L2, L4].

            **Allergies**
            - Penicillin V, high criticality [A1].
            ---
            """;
        var check = Verify(draft);

        Assert.True(check.IsClean);
        Assert.Empty(check.UnknownKeys);
        Assert.Empty(check.UncitedStatements);
        Assert.Equal(["E1", "L1", "L6", "L2", "L4", "A1"], check.CitedKeys);
        Assert.Equal(
            ["Encounter/enc-1/_history/3", "Observation/k-1/_history/1", "Observation/k-3/_history/1", "Observation/cr-1/_history/1", "Observation/cr-2/_history/1", "AllergyIntolerance/allergy-pen/_history/1"],
            check.CitedResources.Select(r => r.ToString()));
    }

    [Fact]
    public void Reports_keys_that_are_not_in_the_index()
    {
        var check = Verify("- Troponin rising [L99][L1].\n- Sepsis likely [X1].\n- Again [L99].");

        Assert.Equal(["L99", "X1"], check.UnknownKeys);
        Assert.Equal(["L1"], check.CitedKeys);
        Assert.False(check.IsClean);
    }

    [Fact]
    public void Reports_uncited_lines_and_uncited_sentences_inside_cited_lines()
    {
        var check = Verify("""
            ## Summary
            - Admitted with hyperkalaemia [E1].
            - Likely to need dialysis within the week.
            Potassium 5.4 mmol/L is high [L6]. Consider stopping lisinopril today.
            """);

        Assert.Equal(["Likely to need dialysis within the week.", "Consider stopping lisinopril today."], check.UncitedStatements);
        Assert.False(check.IsClean);
    }

    [Theory]
    [InlineData("- Potassium 6.8 mmol/L on 2026-11-20, 5.4 mmol/L on 2026-11-23 [L1][L6].")]
    [InlineData("- Seen by Dr. Smith on the ward round today [N1].")]
    [InlineData("- Potassium high. [L6]")]
    [InlineData("1. Potassium high [ L6 ; L1 ].")]
    [InlineData("- No allergies recorded.")]
    [InlineData("- No active medications documented.")]
    [InlineData("- No rule-based considerations triggered.")]
    [InlineData("- Allergies could not be loaded; check allergies in the source record before prescribing.")]
    [InlineData("### Suggested considerations")]
    [InlineData("Key findings:")]
    public void Accepts_cited_statements_absences_and_headings(string draft)
    {
        var check = Verify(draft);
        Assert.True(check.IsClean, $"uncited: {string.Join(" | ", check.UncitedStatements)}; unknown: {string.Join(",", check.UnknownKeys)}");
    }

    [Theory]
    [InlineData("- No evidence of sepsis; treat as pneumonia.")]
    [InlineData("- Patient is stable.")]
    [InlineData("Potassium is normal (L6).")]
    public void Flags_claims_without_a_citation(string draft)
    {
        Assert.NotEmpty(Verify(draft).UncitedStatements);
    }

    [Fact]
    public void Empty_text_is_clean_and_cites_nothing()
    {
        var check = Verify("");
        Assert.True(check.IsClean);
        Assert.Empty(check.CitedResources);
    }
}

using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Review;

namespace ClinicalAssist.Tests.Review;

/// <summary>The sign gate's rule, one case at a time (the end-to-end cases are in AdversarialModelTests).</summary>
public sealed class DraftSignGateTests
{
    private const string Generated = "## Summary\n- Hyperkalaemia, potassium 6.8 mmol/L [L1].\n";

    private static Draft Draft(DraftVerification? verification, string generated = Generated) => new()
    {
        Id = Guid.NewGuid(), PatientId = "p1", PatientLabel = "Test", RecordSource = "Demo", DrafterName = "Fake", ModelId = "fake",
        TemplateId = "clinical-summary", TemplateVersion = 1, Status = DraftStatus.Draft, GeneratedText = generated,
        CreatedById = "u", CreatedByName = "Dr", CitationsJson = """{"L1":"Observation/k1/_history/1","P1":"Condition/c1/_history/1"}""",
        VerificationJson = verification is null ? null : JsonSerializer.Serialize(verification),
        AnswerStructured = verification?.Structured ?? false,
    };

    private static DraftVerification Clean => new(true, [], [], [], [], ["L1"]);

    [Fact]
    public void A_clean_draft_signs_as_generated_and_after_edits()
    {
        Assert.True(DraftSignGate.Evaluate(Draft(Clean), Generated).Verified);
        Assert.True(DraftSignGate.Evaluate(Draft(Clean), Generated + "- Reviewed at the bedside.\n").Verified);
    }

    [Fact]
    public void Any_text_citing_a_key_not_in_the_map_does_not_verify()
    {
        var gate = DraftSignGate.Evaluate(Draft(Clean), Generated + "- Troponin rising [ZZ900].\n");
        Assert.False(gate.Verified);
        Assert.Contains(gate.Findings, f => f.Contains("[ZZ900] does not point at anything", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unparsed_answer_does_not_verify_until_replaced_by_cited_text()
    {
        var raw = new DraftVerification(false, [], ["Potassium is high"], [], [], []);
        var draft = Draft(raw, "Potassium is high");

        Assert.Contains("did not arrive in the expected format", Assert.Single(DraftSignGate.Evaluate(draft, "Potassium is high").Findings), StringComparison.Ordinal);
        Assert.False(DraftSignGate.Evaluate(draft, "Potassium is high, treated.").Verified);
        Assert.True(DraftSignGate.Evaluate(draft, "Potassium is high, treated [L1].").Verified);
    }

    [Fact]
    public void A_number_not_in_its_sources_must_be_gone_from_the_edited_text()
    {
        var v = new DraftVerification(true, [], [], [new NumberMismatch("7.9 mmol/L", "potassium 7.9 mmol/L", ["L1"])], [], ["L1"]);
        var draft = Draft(v, "- Potassium 7.9 mmol/L [L1].\n");

        Assert.False(DraftSignGate.Evaluate(draft, "- Potassium 7.9 mmol/L [L1].\n").Verified);
        Assert.False(DraftSignGate.Evaluate(draft, "- Potassium 7.9 mmol/L on recheck [L1].\n").Verified);
        Assert.True(DraftSignGate.Evaluate(draft, "- Potassium 6.8 mmol/L [L1].\n").Verified);
    }

    [Fact]
    public void Invalid_citations_block_the_text_as_generated()
    {
        var v = Clean with { InvalidCitations = ["the finding is supported"] };
        var gate = DraftSignGate.Evaluate(Draft(v), Generated);

        Assert.False(gate.Verified);
        Assert.Contains("\"the finding is supported\"", Assert.Single(gate.Findings), StringComparison.Ordinal);
        Assert.True(DraftSignGate.Evaluate(Draft(v), Generated.Replace("6.8", "6.8 (checked)", StringComparison.Ordinal)).Verified);
    }

    [Fact]
    public void A_draft_from_before_verification_is_gated_on_unknown_keys_only()
    {
        Assert.True(DraftSignGate.Evaluate(Draft(null), "Anything at all.").Verified);
        Assert.False(DraftSignGate.Evaluate(Draft(null), "Troponin [Q7].").Verified);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("  ", false)]
    [InlineData("short", false)]
    [InlineData("Checked against the chart by hand.", true)]
    public void A_reason_must_be_given_and_meaningful(string? reason, bool accepted) =>
        Assert.Equal(accepted, DraftSignGate.ValidateReason(reason) is null);
}

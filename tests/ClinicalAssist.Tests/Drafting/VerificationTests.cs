using System.Globalization;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>The checks run before a clinician reads a draft: citations, numbers against cited sources, and the
/// must-include net. The fabrication corpus is generated from a clean draft, so it grows with the drafter.</summary>
public sealed partial class VerificationTests
{
    /// <summary>"Now" of the test record: a day after the latest results (2026-11-23 08:00).</summary>
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    private static DraftVerification Verify(string text, PatientContext context)
    {
        var index = CitationIndex.Build(context);
        var check = new CitationVerifier().Verify(text, index);
        return new DraftSafetyNet().Verify(text, structured: true, check, context, index, Now);
    }

    private static DraftAnswer CleanAnswer(PatientContext context) =>
        new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero).ComposeAnswer(context, CitationIndex.Build(context));

    [Fact]
    public void A_faithful_draft_has_no_findings()
    {
        var context = DraftingTestData.Context();
        var verification = Verify(CleanAnswer(context).ToText(), context);

        Assert.Empty(verification.UnknownKeys);
        Assert.Empty(verification.UncitedStatements);
        Assert.Empty(verification.NumberMismatches);
        Assert.Empty(verification.NotMentioned);
        Assert.True(verification.IsClean);
    }

    /// <summary>A fabricated statement and how the verifier must catch it.</summary>
    public sealed record Fabrication(string Name, CitedStatement Statement, string? InventedKey);

    /// <summary>Every way a model invents: a changed value with a unit in every statement that has one, an
    /// invented key on every cited statement, and hand-written fabrications (a value from another resource, a
    /// result that does not exist, a dose not in the record).</summary>
    private static List<Fabrication> Fabrications(DraftAnswer clean)
    {
        var list = new List<Fabrication>();
        var statements = new List<CitedStatement>();
        if (clean.Summary is { } s) statements.Add(s);
        statements.AddRange(clean.Problems.Select(p => new CitedStatement(p.Problem + ": " + p.Assessment, p.Cite)));
        statements.AddRange(clean.Problems.SelectMany(p => p.Evidence.Concat(p.Plan)));
        statements.AddRange(clean.Medications);
        statements.AddRange(clean.Allergies);
        statements.AddRange(clean.KeyFindings);
        statements.AddRange(clean.NextSteps);

        var i = 0;
        foreach (var statement in statements.Where(st => st.Cite.Count > 0))
        {
            i++;
            var m = ValueWithUnit().Match(statement.Text);
            if (m.Success)
            {
                var changed = decimal.Parse(m.Groups["v"].Value, CultureInfo.InvariantCulture) + 1.3m;
                var text = statement.Text[..m.Groups["v"].Index] + changed.ToString(CultureInfo.InvariantCulture) + statement.Text[(m.Groups["v"].Index + m.Groups["v"].Length)..];
                list.Add(new Fabrication($"changed value #{i}", new CitedStatement(text, statement.Cite), null));
            }
            var invented = "L" + (900 + i).ToString(CultureInfo.InvariantCulture);
            list.Add(new Fabrication($"invented key #{i}", new CitedStatement(statement.Text, [invented]), invented));
        }

        list.Add(new Fabrication("value of another resource", new CitedStatement("Potassium 2.1 mmol/L on admission", ["L1"]), null));
        list.Add(new Fabrication("result that does not exist", new CitedStatement("Troponin 2.3 ng/mL, elevated", ["L5"]), null));
        list.Add(new Fabrication("dose not in the record", new CitedStatement("Amoxicillin 250 mg three times daily", ["M1"]), null));
        list.Add(new Fabrication("vital sign not recorded", new CitedStatement("Blood pressure 90/60 mm[Hg], hypotensive", ["V1"]), null));
        list.Add(new Fabrication("invented lab and key", new CitedStatement("Lactate 4.1 mmol/L", ["L77"]), "L77"));
        list.Add(new Fabrication("invented encounter key", new CitedStatement("Admitted via the emergency department", ["E9"]), "E9"));
        list.Add(new Fabrication("heart rate changed", new CitedStatement("Heart rate 128 /min, tachycardic", ["V2"]), null));
        list.Add(new Fabrication("percent invented", new CitedStatement("Oxygen saturation 85 % on room air", ["V2"]), null));
        return list;
    }

    [Fact]
    public void Every_fabricated_citation_and_number_is_flagged()
    {
        var context = DraftingTestData.Context();
        var clean = CleanAnswer(context);
        var fabrications = Fabrications(clean);
        Assert.True(fabrications.Count >= 20, $"corpus has {fabrications.Count} fabrications");

        var flagged = 0;
        var missed = new List<string>();
        foreach (var f in fabrications)
        {
            // Each fabrication alone in an otherwise faithful draft.
            var draft = clean with { KeyFindings = [.. clean.KeyFindings, f.Statement] };
            var v = Verify(draft.ToText(), context);
            var caught = f.InventedKey is { } key
                ? v.UnknownKeys.Contains(key)
                : v.NumberMismatches.Any(n => n.Statement.StartsWith(f.Statement.Text[..Math.Min(60, f.Statement.Text.Length)], StringComparison.Ordinal));
            if (caught) flagged++; else missed.Add(f.Name + ": " + f.Statement.Text);
        }

        var rate = (double)flagged / fabrications.Count;
        Xunit.TestContext.Current.TestOutputHelper?.WriteLine($"Fabrications flagged: {flagged}/{fabrications.Count} ({rate:P0})");
        Assert.True(missed.Count == 0, "missed: " + string.Join(" | ", missed));
    }

    [Fact]
    public void Must_include_net_reports_what_the_draft_leaves_out()
    {
        var baseline = DraftingTestData.Context();
        var context = new PatientContext
        {
            Patient = baseline.Patient,
            Encounter = baseline.Encounter,
            Allergies = baseline.Allergies,
            Labs = baseline.Labs,
            Medications =
            [
                .. baseline.Medications,
                new(new ResourceRef("MedicationRequest", "med-hep", "1"), "Heparin sodium 5000 UNT/ML Injectable Solution", null, "active", "5000 units twice daily", null),
                new(new ResourceRef("MedicationRequest", "med-ins", "1"), "Insulin glargine 100 UNT/ML", null, "active", null, null),
                new(new ResourceRef("MedicationRequest", "med-oxy", "1"), "Oxycodone 5 MG Oral Tablet", null, "stopped", null, null),
            ],
        };
        const string draft = "## Summary\n- 67-year-old admitted with hyperkalaemia [E1]\n## Key findings\n- Potassium 5.4 mmol/L, high [L6]\n- Started on insulin for hyperglycaemia [M5]\n";

        var missing = DraftSafetyNet.MustInclude(draft, context, CitationIndex.Build(context), Now);

        Assert.Equal(
            [
                ("allergy", "A1"),
                ("critical-lab", "L5"),   // haemoglobin 6.9 g/dL on 11-23
                ("abnormal-lab", "L4"),   // creatinine 2.1 mg/dL on 11-22 (48 h ago exactly)
                ("high-alert-medication", "M4"), // heparin; insulin is cited; oxycodone is stopped
            ],
            missing.Select(m => (m.Kind, m.CitationKey)));
        Assert.Equal("Allergy to Penicillin V (high criticality)", missing[0].Description);
        Assert.Equal("High-alert medication (anticoagulant): Heparin sodium 5000 UNT/ML Injectable Solution", missing[3].Description);
        // Results older than 48 hours are not part of the net (the admission potassium of 6.8 mmol/L).
        Assert.DoesNotContain(missing, m => m.CitationKey == "L1");
    }

    [Theory]
    [InlineData("warfarin 5 mg", "anticoagulant")]
    [InlineData("Apixaban 2.5 MG Oral Tablet", "anticoagulant")]
    [InlineData("enoxaparin 40 mg", "anticoagulant")]
    [InlineData("Insulin Lispro 100 UNT/ML", "insulin")]
    [InlineData("Morphine sulfate 10 mg", "opioid")]
    [InlineData("fentaNYL 25 mcg/hr patch", "opioid")]
    [InlineData("Hydromorphone 2 mg", "opioid")]
    [InlineData("Methotrexate 2.5 MG", "chemotherapy / methotrexate")]
    [InlineData("Amoxicillin 500 MG", null)]
    [InlineData("Paracetamol 1 g", null)]
    public void Recognises_high_alert_medications(string medication, string? expected) =>
        Assert.Equal(expected, DraftSafetyNet.HighAlertClass(medication));

    [GeneratedRegex(@"(?<v>\d+(?:\.\d+)?)\s*(?:mmol/L|mg/dL|g/dL|mm\[Hg\]|/min|mg\b)")]
    private static partial Regex ValueWithUnit();
}

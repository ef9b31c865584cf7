using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.DemoData;
using ClinicalAssist.Tests.Drafting;

namespace ClinicalAssist.Tests.Context;

/// <summary>The clinical-knowledge table (docs/adr/0029): one declaration of short names, units and problem links that
/// covers every demo scenario and the common Synthea conditions.</summary>
public sealed class ClinicalKnowledgeTests
{
    [Fact]
    public void Each_LOINC_code_names_one_analyte_and_each_name_is_used_once()
    {
        var codes = ClinicalKnowledge.Analytes.SelectMany(a => a.Loinc).ToList();
        Assert.Equal(codes.Count, codes.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(ClinicalKnowledge.Analytes.Count, ClinicalKnowledge.Analytes.Select(a => a.Name).Distinct(StringComparer.Ordinal).Count());
        // Every analyte a problem links to is in the table's list (one declaration, no stray copies).
        Assert.All(ClinicalKnowledge.Problems.SelectMany(p => p.Analytes), a => Assert.Contains(a, ClinicalKnowledge.Analytes));
    }

    [Fact]
    public void Every_demo_test_and_vital_sign_has_a_short_name()
    {
        var loinc = typeof(Labs).GetFields().Select(f => f.GetValue(null)).OfType<LabTest>().Select(t => (t.Loinc, t.Display))
            .Concat(typeof(Vitals).GetFields().Select(f => f.GetValue(null)).OfType<VitalSign>().Select(v => (v.Loinc, v.Display)))
            .Append((Loinc: Vitals.BloodPressureLoinc, Display: Vitals.BloodPressureDisplay)).Append((Loinc: Vitals.SpO2AltLoinc, Display: Vitals.SpO2AltDisplay)).ToList();
        Assert.True(loinc.Count > 30);
        Assert.All(loinc, t => Assert.True(ClinicalKnowledge.AnalyteOf(t.Loinc) is not null, $"{t.Display} ({t.Loinc}) has no short name"));
        Assert.Equal("CRP", ClinicalKnowledge.AnalyteOf("1988-5")!.Name);
        Assert.Equal("WCC", ClinicalKnowledge.AnalyteOf("6690-2")!.Name);
        Assert.Equal("SpO₂", ClinicalKnowledge.AnalyteOf("59408-5")!.Name);
    }

    [Fact]
    public void Every_active_demo_condition_is_a_problem_of_the_table()
    {
        var conditions = DemoScenarios.All.SelectMany(s => s.Conditions.Where(c => c.Role != ConditionRole.Resolved).Select(c => (s.Key, c))).ToList();
        var unknown = conditions
            .Where(x => ClinicalKnowledge.ProblemsOf(new ContextCondition(new ResourceRef("Condition", "c", "1"), x.c.Text, x.c.Snomed, x.c.Icd10, "active", "confirmed", null)).Count == 0)
            .Select(x => $"{x.Key}: {x.c.Text} ({x.c.Snomed})")
            .Where(x => !x.Contains("Osteoarthritis", StringComparison.Ordinal) && !x.Contains("Depression", StringComparison.Ordinal)
                        && !x.Contains("Anxiety", StringComparison.Ordinal) && !x.Contains("smoker", StringComparison.OrdinalIgnoreCase)
                        && !x.Contains("Migraine", StringComparison.Ordinal) && !x.Contains("Dysphagia", StringComparison.Ordinal))
            .ToList();
        // Only conditions with nothing in a ward record to follow (osteoarthritis, mood, smoking, migraine, dysphagia) are unlinked.
        Assert.True(unknown.Count == 0, string.Join("\n", unknown));
    }

    [Fact]
    public async Task The_common_Synthea_conditions_are_problems_of_the_table()
    {
        var active = (await DemoWard.SyntheaPatientsAsync())
            .SelectMany(p => p.Context.Conditions.Where(c => c.ClinicalStatus == "active"))
            .GroupBy(c => c.Snomed ?? c.Display).Where(g => g.Count() >= 2).ToList();
        var linked = active.Count(g => ClinicalKnowledge.ProblemsOf(g.First()).Count > 0);
        var conditions = active.Sum(g => g.Count());
        var linkedConditions = active.Where(g => ClinicalKnowledge.ProblemsOf(g.First()).Count > 0).Sum(g => g.Count());
        ProblemOrientedDraftTests.Figures("synthea-coverage",
            $"Synthea active conditions seen in at least 2 records: {linked} of {active.Count} kinds in the table ({linkedConditions} of {conditions} conditions)");
        foreach (var code in new[] { "38341003", "15777000", "162864005", "271737000", "55822004", "49436004", "44054006", "88805009", "53741008", "26929004", "64859006", "230690007" })
            Assert.Contains(active.Select(g => g.First()), c => c.Snomed == code && ClinicalKnowledge.ProblemsOf(c).Count > 0);
    }

    [Theory]
    [InlineData("Cel", "°C")]
    [InlineData("10*3/uL", "×10⁹/L")]
    [InlineData("10*6/uL", "×10¹²/L")]
    [InlineData("mm[Hg]", "mmHg")]
    [InlineData("{INR}", "")]
    [InlineData("[pH]", "")]
    [InlineData("m[IU]/L", "mIU/L")]
    [InlineData("mL/min/{1.73_m2}", "mL/min/1.73 m²")]
    [InlineData("kg/m2", "kg/m²")]
    [InlineData("mg/dL", "mg/dL")]
    [InlineData("{cells}/uL", "/uL")]
    public void UCUM_units_read_as_a_clinician_writes_them(string ucum, string human) =>
        Assert.Equal(human, ClinicalUnits.Human(ucum));

    [Fact]
    public void A_result_reads_with_its_short_name_and_human_unit_and_keeps_its_code()
    {
        var o = new ContextObservation(new ResourceRef("Observation", "o", "1"), "laboratory", "Leukocytes [#/volume] in Blood by Automated count", "6690-2",
            18.4m, "10*3/uL", null, null, "H", null, []);
        Assert.Equal("WCC", o.Name);
        Assert.Equal("18.4 ×10⁹/L", o.DisplayValue);
        Assert.Equal("18.4 10*3/uL", o.FormattedValue);
        Assert.Equal("1.2", ClinicalUnits.Format(1.2m, "{INR}"));
    }
}

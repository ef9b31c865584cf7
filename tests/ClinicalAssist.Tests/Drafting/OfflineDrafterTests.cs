using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Tests.Drafting;

public sealed class OfflineDrafterTests
{
    private static OfflineDrafter Drafter() => new(new PromptInjectionDetector(), TimeSpan.Zero);

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    /// <summary>The streamed answer, checked to be the JSON contract, rendered as the clinician reads it.</summary>
    private static async Task<string> DraftAsync(PatientContext context, List<string>? chunks = null, bool differentials = false)
    {
        var raw = await DraftingTestData.ReadAllAsync(Drafter().StreamAsync(DraftingTestData.Request(context), Ct), chunks);
        var answer = DraftAnswerParser.TryParse(raw);
        Assert.NotNull(answer);
        if (!differentials) Assert.Empty(answer.Differentials); // never proposes a diagnosis: only the record's own differentials
        return answer.ToText();
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Describes_itself_as_not_ai()
    {
        var drafter = Drafter();
        Assert.Equal("Offline rule-based draft — no AI model", drafter.DisplayName);
        Assert.False(drafter.IsAi);
        Assert.Equal("offline-rules-v1", drafter.ModelId);
    }

    [Fact]
    public async Task Draft_is_deterministic_and_streamed_in_small_chunks()
    {
        var chunks = new List<string>();
        var first = await DraftAsync(DraftingTestData.Context(), chunks);
        var second = await DraftAsync(DraftingTestData.Context());

        Assert.Equal(first, second);
        Assert.Equal(first, DraftAnswerParser.TryParse(Drafter().ComposeDraft(DraftingTestData.Context(), CitationIndex.Build(DraftingTestData.Context())))!.ToText());
        Assert.True(chunks.Count > Lines(first).Length, "expected several chunks per line");
        Assert.All(chunks, c => Assert.True(c.Count(ch => ch == ' ') <= 4, $"chunk too large: '{c}'"));
        // Every prefix of the stream renders (the page shows the draft while it streams).
        var raw = "";
        var shown = 0;
        foreach (var chunk in chunks)
        {
            raw += chunk;
            if (DraftAnswerParser.TryParsePartial(raw) is { IsEmpty: false }) shown++;
        }
        Assert.True(shown > chunks.Count * 9 / 10, $"only {shown} of {chunks.Count} prefixes rendered");
    }

    [Fact]
    public async Task Has_the_six_sections_in_order()
    {
        var draft = await DraftAsync(DraftingTestData.Context());
        var headings = Lines(draft).Where(l => l.StartsWith("## ", StringComparison.Ordinal)).Select(l => l[3..]).ToList();
        Assert.Equal(CitationVerifier.SectionNames, headings);
    }

    [Fact]
    public async Task Every_statement_is_cited_and_every_key_resolves()
    {
        var context = DraftingTestData.Context();
        var index = CitationIndex.Build(context);
        var draft = await DraftAsync(context);

        var check = new CitationVerifier().Verify(draft, index);
        Assert.Empty(check.UnknownKeys);
        Assert.Empty(check.UncitedStatements);

        foreach (var line in Lines(draft).Where(l => !l.StartsWith('#') && !CitationVerifier.IsAbsenceStatement(l[2..])))
        {
            var keys = CitationVerifier.KeysIn(line).ToList();
            Assert.True(keys.Count > 0, $"uncited line: {line}");
            Assert.All(keys, k => Assert.True(index.TryResolve(k, out _), $"unknown key {k}"));
        }
    }

    [Fact]
    public async Task Summarises_from_the_context_with_citations()
    {
        var draft = await DraftAsync(DraftingTestData.Context());
        var lines = Lines(draft);

        Assert.Contains("- 67-year-old female admitted with Hyperkalaemia; inpatient encounter, in-progress since 2026-11-20 08:15 [E1]", lines);
        Assert.Contains("- Latest clinical note: Nursing note, dated 2026-11-23 [N2]", lines);
        // Problem-oriented: the admission's problem first, each with its linked evidence and trajectory in plain words.
        var problems = Section(draft, "Active problems");
        Assert.Equal([
            "- Hyperkalaemia (active since 2026-11-20): improving on the linked results [P2]",
            "  - K 6.8 → 5.4 mmol/L, improving, still high [L1][L6]",
            "- Chronic kidney disease stage 3 (disorder) (active since 2019-04-02): worsening on the linked results [P1]",
            "  - Cr 1.9 → 2.1 mg/dL, rising, high [L2][L4]",
            "- Essential hypertension (disorder) (active since 2015-06-01): linked results abnormal, no trend yet [P3]",
            "  - BP 162/95 mmHg, high (2026-11-23 08:00) [V1]",
            "  - Plan: on lisinopril 10 MG Oral Tablet 10 mg once daily [M2]",
        ], problems);
        Assert.DoesNotContain(lines, l => l.Contains("bronchitis", StringComparison.OrdinalIgnoreCase)); // resolved
        // Key findings: what no problem shows, critical first; normal results left out.
        var findings = Section(draft, "Key findings");
        Assert.Equal(["- Latest clinical note: Nursing note, dated 2026-11-23 [N2]", "- Hb 6.9 g/dL (ref 12.0–15.5 g/dL), critically low on 2026-11-23 08:00 [L5]"], findings);
        // Medications (active only: the stopped statin is not of this admission) and allergies in their own sections.
        Assert.Equal(["- Amoxicillin 500 MG Oral Capsule — 500 mg every 8 hours [M1]", "- Lisinopril 10 MG Oral Tablet — 10 mg once daily [M2]"], Section(draft, "Medications"));
        Assert.Equal(["- Penicillin V — high criticality; reactions: Anaphylaxis [A1]"], Section(draft, "Allergies"));
        Assert.Equal(["- No differential diagnoses given."], Section(draft, "Differential diagnoses"));
    }

    [Fact]
    public async Task Suggests_cautious_rule_based_considerations()
    {
        var considerations = Section(await DraftAsync(DraftingTestData.Context()), "Suggested next steps");

        Assert.Contains("- Review Amoxicillin 500 MG Oral Capsule: an allergy to Penicillin V (high criticality) is recorded and the medication is penicillin-class [A1][M1]", considerations);
        Assert.Contains("- Review the critical result Hb 6.9 g/dL on 2026-11-23 08:00 and confirm it has been acted on [L5]", considerations);
        Assert.Contains("- Potassium is high while Lisinopril 10 MG Oral Tablet is active; consider reviewing potassium-raising medicines [L6][M2]", considerations);
        Assert.Equal(3, considerations.Count);
    }

    [Fact]
    public async Task An_injection_note_changes_nothing_in_the_draft()
    {
        var benign = Lines(await DraftAsync(DraftingTestData.Context(DraftingTestData.BenignNursingNote)));
        var injected = Lines(await DraftAsync(DraftingTestData.Context(DraftingTestData.InjectionNursingNote)));

        // Flagged as a safety warning with the draft (DraftGenerator), never written as a clinical next step.
        Assert.Equal(benign, injected);
        Assert.Contains("- Penicillin V — high criticality; reactions: Anaphylaxis [A1]", injected);
        Assert.DoesNotContain(injected, l => l.Contains("no allergies", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_differential_or_provisional_condition_is_a_differential_not_an_active_problem()
    {
        var baseline = DraftingTestData.Context();
        var context = new PatientContext
        {
            Patient = baseline.Patient,
            Encounter = baseline.Encounter,
            Conditions = [.. baseline.Conditions, new(new ResourceRef("Condition", "cond-dvt", "1"), "Deep vein thrombosis (to exclude)", "128053003", "I82.402", "active", "differential", null)],
            Sections = baseline.Sections,
        };
        var draft = await DraftAsync(context, differentials: true);

        Assert.DoesNotContain(Section(draft, "Active problems"), l => l.Contains("thrombosis", StringComparison.Ordinal));
        Assert.Equal(["- Deep vein thrombosis (to exclude); for: recorded as differential, not confirmed [P5]"], Section(draft, "Differential diagnoses"));
    }

    [Fact]
    public async Task Empty_context_states_absences_and_still_verifies()
    {
        var context = DraftingTestData.Empty();
        var draft = await DraftAsync(context);

        Assert.Equal(["- No current encounter recorded."], Section(draft, "Summary"));
        Assert.Equal(["- No active problems recorded."], Section(draft, "Active problems"));
        Assert.Equal(["- No active medications recorded."], Section(draft, "Medications"));
        Assert.Equal(["- No allergies recorded."], Section(draft, "Allergies"));
        Assert.Equal(["- No other abnormal results flagged in the record."], Section(draft, "Key findings"));
        Assert.Equal(["- No differential diagnoses given."], Section(draft, "Differential diagnoses"));
        Assert.Equal(["- No rule-based considerations triggered."], Section(draft, "Suggested next steps"));
        Assert.Equal(["- No open questions recorded."], Section(draft, "Open questions"));
        Assert.True(new CitationVerifier().Verify(draft, CitationIndex.Build(context)).IsClean);
    }

    [Fact]
    public async Task A_failed_allergy_section_is_not_reported_as_no_allergies()
    {
        var baseline = DraftingTestData.Context();
        var context = new PatientContext
        {
            Patient = baseline.Patient,
            Encounter = baseline.Encounter,
            Medications = baseline.Medications,
            Sections = [new("Allergies", SectionState.Failed, 0, "timeout")],
        };
        var draft = await DraftAsync(context);

        Assert.Equal(["- Need: Allergies could not be loaded; check them in the source record (this draft may be incomplete)",
                      "- Need: Allergy status: allergies could not be loaded; check them in the source record before prescribing"], Section(draft, "Open questions"));
        Assert.DoesNotContain("No allergies recorded", draft, StringComparison.Ordinal);
        Assert.True(new CitationVerifier().Verify(draft, CitationIndex.Build(context)).IsClean);
    }

    [Fact]
    public async Task Honours_cancellation()
    {
        using var cts = new CancellationTokenSource();
        var drafter = new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.FromMilliseconds(5));
        var received = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in drafter.StreamAsync(DraftingTestData.Request(DraftingTestData.Context()), cts.Token))
            {
                if (++received == 3) await cts.CancelAsync();
            }
        });
        Assert.Equal(3, received);
    }

    [Fact]
    public void Chunks_reassemble_to_the_text()
    {
        const string text = "## Summary\n- one two three four five six seven [E1].\n\n## Next\n- a b\n";
        var chunks = OfflineDrafter.Chunks(text).ToList();
        Assert.Equal(text, string.Concat(chunks));
        Assert.Contains("- one two three ", chunks);
        Assert.Contains("four five six seven ", chunks);
    }

    /// <summary>The lines under "## <paramref name="name"/>" up to the next heading.</summary>
    private static List<string> Section(string draft, string name) =>
        [.. Lines(draft).SkipWhile(l => l != "## " + name).Skip(1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))];
}

using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>The injection corpus (PromptInjectionDetectorTests.Attacks, 30 attempts) end to end: each attempt in a
/// nursing note is flagged for the clinician, stays inside its delimited data block in the prompt, and changes
/// nothing in the offline draft but the added warning line.</summary>
public sealed class InjectionCorpusTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public static TheoryData<string> Attacks => PromptInjectionDetectorTests.Attacks;

    private static async Task<string> OfflineTextAsync(string note)
    {
        var context = DraftingTestData.Context(note);
        var raw = await DraftingTestData.ReadAllAsync(new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero).StreamAsync(DraftingTestData.Request(context), Ct));
        return DraftAnswerParser.TryParse(raw)!.ToText();
    }

    [Theory]
    [MemberData(nameof(Attacks))]
    public async Task Each_attempt_is_flagged_quoted_as_data_and_changes_nothing_else(string attack)
    {
        var context = DraftingTestData.Context(attack);

        var warnings = new PromptInjectionDetector().Scan(context);
        Assert.Contains(warnings, w => w.NoteKey == "N2");

        var prompt = new PromptBuilder().Build(context, CitationIndex.Build(context));
        Assert.Equal(new PromptBuilder().Build(DraftingTestData.Context(), CitationIndex.Build(DraftingTestData.Context())).System, prompt.System);
        var open = prompt.User.IndexOf("<<<NOTE N2\n", StringComparison.Ordinal);
        var close = prompt.User.IndexOf("\nNOTE N2>>>", StringComparison.Ordinal);
        Assert.True(open >= 0 && close > open, "note block missing");
        Assert.Equal(open, prompt.User.LastIndexOf("<<<NOTE N2", StringComparison.Ordinal));
        Assert.Equal(close + 1, prompt.User.LastIndexOf("NOTE N2>>>", StringComparison.Ordinal));
        Assert.DoesNotContain("\nNOTE N2>>>", prompt.User[(close + 1)..], StringComparison.Ordinal);

        var benign = (await OfflineTextAsync(DraftingTestData.BenignNursingNote)).Split('\n');
        var injected = (await OfflineTextAsync(attack)).Split('\n');
        // The offline draft is the same word for word: the attempt is a safety warning with the draft, never a clinical step.
        Assert.Equal(benign, injected);
    }
}

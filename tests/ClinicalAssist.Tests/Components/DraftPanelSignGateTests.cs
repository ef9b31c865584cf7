using System.Runtime.CompilerServices;
using System.Text.Json;
using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Faults;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Infrastructure;

namespace ClinicalAssist.Tests.Components;

/// <summary>The draft panel over the real workflow: a draft whose answer did not parse shows the sign gate's
/// findings in plain words; Sign stays disabled until the text verifies, or until "Sign this text as unverified" is
/// ticked with a reason, which is then stored with the draft.</summary>
public sealed class DraftPanelSignGateTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private sealed class TruncatedModel : IDraftModel
    {
        public string DisplayName => "Truncating fake model";
        public bool IsAi => true;
        public string ModelId => "truncating-fake";

        public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            yield return ClinicalAssist.Tests.Drafting.AdversarialModelTests.Truncated;
        }
    }

    private static async Task<(Support.TestDatabase Db, PatientContext Context, Guid Id)> UnparsedDraftAsync()
    {
        var database = await FaultHarness.DatabaseAsync();
        var context = FaultHarness.DemoContext();
        var id = await FaultHarness.NewGenerator(database, new TruncatedModel()).GenerateAsync(context, "Demo", FaultHarness.Clinician, _ => Task.CompletedTask, Ct);
        return (database, context, id);
    }

    [Fact]
    public async Task An_unparsed_draft_signs_only_as_unverified_with_a_reason()
    {
        var (database, context, id) = await UnparsedDraftAsync();
        await using var _ = database;
        await using var ui = new FaultHarness(database, FaultHarness.Clinician, Roles.Clinician);
        var panel = ui.Render<DraftPanel>(p => p.Add(x => x.Context, context));
        panel.WaitForAssertion(() => Assert.Equal("Draft", panel.Find("[data-testid=draft-status]").TextContent.Trim()));

        Assert.Contains("did not arrive in the expected format", panel.Find("[data-testid=sign-gate]").TextContent, StringComparison.Ordinal);
        panel.Find("input[data-testid=attest]").Change(true);
        Assert.True(panel.Find("[data-testid=sign-draft]").HasAttribute("disabled"));

        panel.Find("input[data-testid=sign-unverified]").Change(true);
        panel.Find("[data-testid=unverified-reason]").Input("ok");
        Assert.True(panel.Find("[data-testid=sign-draft]").HasAttribute("disabled"));
        panel.Find("[data-testid=unverified-reason]").Input("Read against the chart line by line.");
        AcknowledgeAll(panel);
        Assert.False(panel.Find("[data-testid=sign-draft]").HasAttribute("disabled"));
        Assert.Equal("Sign unverified", panel.Find("[data-testid=sign-draft]").TextContent.Trim());

        await panel.Find("[data-testid=sign-draft]").ClickAsync(new());
        panel.WaitForAssertion(() => Assert.Equal("Signed", panel.Find("[data-testid=draft-status]").TextContent.Trim()));
        var stored = await FaultHarness.LoadAsync(database, id);
        Assert.Equal("Read against the chart line by line.", JsonSerializer.Deserialize<DraftVerification>(stored.VerificationJson!)!.SignedUnverified!.Reason);
    }

    [Fact]
    public async Task An_edit_that_verifies_lifts_the_gate()
    {
        var (database, context, id) = await UnparsedDraftAsync();
        await using var _ = database;
        var key = DraftText.ReadCitationMap((await FaultHarness.LoadAsync(database, id)).CitationsJson).Keys.First();
        await using var ui = new FaultHarness(database, FaultHarness.Clinician, Roles.Clinician);
        var panel = ui.Render<DraftPanel>(p => p.Add(x => x.Context, context));
        panel.WaitForAssertion(() => Assert.Equal("Draft", panel.Find("[data-testid=draft-status]").TextContent.Trim()));

        await panel.Find("[data-testid=edit-draft]").ClickAsync(new());
        panel.Find("[data-testid=draft-editor]").Input($"Inpatient, reviewed at the bedside [{key}].");
        Assert.Empty(panel.FindAll("[data-testid=sign-gate]"));
        panel.Find("input[data-testid=attest]").Change(true);
        Assert.Equal("Sign", panel.Find("[data-testid=sign-draft]").TextContent.Trim());
        // The edit leaves out what the record's critical items are: each is acknowledged before Sign is enabled.
        if (panel.FindAll("input[data-testid=acknowledge-warning]").Count > 0) Assert.True(panel.Find("[data-testid=sign-draft]").HasAttribute("disabled"));
        AcknowledgeAll(panel);
        Assert.False(panel.Find("[data-testid=sign-draft]").HasAttribute("disabled"));

        await panel.Find("[data-testid=sign-draft]").ClickAsync(new());
        panel.WaitForAssertion(() => Assert.Equal("Signed", panel.Find("[data-testid=draft-status]").TextContent.Trim()));
        Assert.Null(JsonSerializer.Deserialize<DraftVerification>((await FaultHarness.LoadAsync(database, id)).VerificationJson!)!.SignedUnverified);
    }

    /// <summary>Ticks "Acknowledged" on every critical warning the panel shows.</summary>
    private static void AcknowledgeAll(Bunit.IRenderedComponent<DraftPanel> panel)
    {
        var count = panel.FindAll("input[data-testid=acknowledge-warning]").Count;
        for (var i = 0; i < count; i++) panel.FindAll("input[data-testid=acknowledge-warning]")[i].Change(true);
    }
}

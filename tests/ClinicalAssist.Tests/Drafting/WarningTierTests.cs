using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>Warnings in two tiers (issue 21, docs/adr/0029): few critical ones, acknowledged before signing (checked
/// where the sign-off is recorded) and kept with the signed draft; review items folded, one per test, never for a value a
/// newer result superseded; all re-checked on the text as edited.</summary>
public sealed class WarningTierTests : IAsyncLifetime
{
    private static readonly Actor Clinician = new("u-clin", "Dr Clinician");
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly List<TestHost> _hosts = [];
    private TestDatabase _db = null!;

    /// <summary>The critical warnings each demo scenario's record really holds for its offline draft.</summary>
    private static readonly Dictionary<string, string[]> DeclaredCritical = new(StringComparer.Ordinal)
    {
        ["hf-exacerbation"] = ["prompt-injection"], // the admission note's injection attempt: exactly its one
    };

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        await _db.DisposeAsync();
    }

    private TestHost Host()
    {
        var host = TestHost.Create(_db, DemoWard.Drafter(), time: _clock);
        _hosts.Add(host);
        return host;
    }

    private async Task<Draft> GenerateAsync(TestHost host, Web.Features.Context.PatientContext context)
    {
        var id = await host.Get<DraftGenerator>().GenerateAsync(context, "Demo", Clinician, _ => Task.CompletedTask, Ct);
        await using var db = _db.CreateDbContext();
        return await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == id, Ct);
    }

    [Fact]
    public async Task Demo_ward_offline_drafts_have_at_most_one_review_item_median_and_only_the_declared_critical_ones()
    {
        var host = Host();
        var review = new List<int>();
        var lines = new List<string>();
        foreach (var (scenario, context) in await DemoWard.DemoPatientsAsync())
        {
            var draft = await GenerateAsync(host, context);
            Assert.Equal(DraftStatus.Draft, draft.Status);
            var warnings = DraftWarningTiers.Current(draft, draft.GeneratedText);
            var critical = warnings.Where(w => w.IsCritical).Select(w => w.Kind).ToArray();
            Assert.Equal(DeclaredCritical.GetValueOrDefault(scenario, []), critical);
            review.Add(warnings.Count(w => !w.IsCritical));
            lines.Add($"{scenario}: {critical.Length} critical, {review[^1]} review");
        }
        var sorted = review.Order().ToList();
        var median = (sorted[5] + sorted[6]) / 2.0;
        ProblemOrientedDraftTests.Figures("warning-tiers",
            $"12 demo offline drafts: critical {string.Join("+", lines.Select(l => l.Split(' ')[1]))} (declared: hf-exacerbation's injection attempt only); review items median {median}, max {sorted[^1]}, total {review.Sum()}\n" + string.Join("\n", lines));
        Assert.True(median <= 1, $"median review items {median}: {string.Join(", ", lines)}");
    }

    [Fact]
    public async Task A_critical_warning_must_be_acknowledged_where_the_sign_off_is_recorded_and_the_signed_draft_keeps_it()
    {
        var host = Host();
        var (_, context) = (await DemoWard.DemoPatientsAsync()).Single(p => p.Scenario == "hf-exacerbation");
        var draft = await GenerateAsync(host, context);
        var injection = Assert.Single(DraftWarningTiers.Current(draft, draft.GeneratedText), w => w.NeedsAcknowledgement);
        Assert.Equal("prompt-injection", injection.Kind);
        var workflow = host.Get<DraftWorkflow>();

        var refused = await workflow.SignAsync(draft.Id, draft.GeneratedText, true, Clinician, Ct);
        Assert.False(refused.Succeeded);
        Assert.Contains("Acknowledge the critical warning before signing", refused.Message, StringComparison.Ordinal);
        Assert.False((await workflow.SignAsync(draft.Id, draft.GeneratedText, true, Clinician, Ct, acknowledged: ["prompt-injection:N9:000000000000"])).Succeeded);

        var signed = await workflow.SignAsync(draft.Id, draft.GeneratedText, true, Clinician, Ct, acknowledged: [injection.Id]);
        Assert.True(signed.Succeeded, signed.Message);
        await using var db = _db.CreateDbContext();
        var stored = await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == draft.Id, Ct);
        var acknowledged = Assert.Single(JsonSerializer.Deserialize<DraftVerification>(stored.VerificationJson!)!.Acknowledged);
        Assert.Equal(("prompt-injection", injection.Message), (acknowledged.Kind, acknowledged.Message));
        Assert.Contains("acknowledged=1", (await db.AuditEvents.SingleAsync(a => a.DraftId == draft.Id && a.Action == AuditActions.DraftSigned, Ct)).Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Warnings_are_rechecked_on_the_edited_text()
    {
        var host = Host();
        var context = DraftingTestData.Context();
        var draft = await GenerateAsync(host, context);
        Assert.DoesNotContain(DraftWarningTiers.Current(draft, draft.GeneratedText), w => w.Kind is "allergy-high" or "high-alert-medication" or "unknown-citation");

        // Removing the high-criticality allergy from the text raises a critical warning to acknowledge…
        var withoutAllergy = string.Join('\n', draft.GeneratedText.Split('\n').Where(l => !l.Contains("Penicillin", StringComparison.Ordinal)));
        var allergy = Assert.Single(DraftWarningTiers.Current(draft, withoutAllergy), w => w.Kind == "allergy-high");
        Assert.True(allergy.NeedsAcknowledgement);
        Assert.False((await host.Get<DraftWorkflow>().SignAsync(draft.Id, withoutAllergy, true, Clinician, Ct)).Succeeded);
        // …an edit that adds a key that does not exist is critical too (and the sign gate refuses it)…
        var invented = draft.GeneratedText + "\n- Seen by the renal team [ZZ900]";
        Assert.Contains(DraftWarningTiers.Current(draft, invented), w => w.Kind == "unknown-citation" && w.IsCritical && w.CitationKey == "ZZ900");
        // …and an edit that cites a missing item clears its warning.
        var critical = DraftWarningTiers.Current(draft, draft.GeneratedText.Replace("Hb 6.9 g/dL", "Hb noted", StringComparison.Ordinal).Replace("[L5]", "", StringComparison.Ordinal));
        Assert.Contains(critical, w => w.Kind == "critical-value" && w.CitationKey == "L5");
    }

    [Fact]
    public async Task Review_items_are_one_per_test_and_never_for_a_value_a_newer_result_superseded()
    {
        var host = Host();
        var context = DraftingTestData.Context();
        var draft = await GenerateAsync(host, context);
        var watch = JsonSerializer.Deserialize<DraftVerification>(draft.VerificationJson!)!.Watch;
        // Potassium was critical (6.8) on admission and is 5.4 now: one abnormal item for its latest value, no critical one.
        var potassium = Assert.Single(watch, w => w.Names.Contains("Potassium"));
        Assert.Equal(("abnormal-lab", false, "L6"), (potassium.Kind, potassium.Critical, potassium.CitationKey));
        Assert.Contains("from 6.8 mmol/L", potassium.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(watch, w => w.CitationKey is "L1" or "L3");
        // Text that leaves every result out: one folded line per test, the critical Hb the only critical result.
        var bare = "## Summary\n- Admitted with hyperkalaemia [E1] [P2]\n";
        var warnings = DraftWarningTiers.Current(draft, bare);
        Assert.Single(warnings, w => w.Kind == "critical-value");
        Assert.Equal(warnings.Where(w => w.Kind == "not-mentioned" && w.Message.Contains("result", StringComparison.Ordinal)).Select(w => w.CitationKey).Distinct().Count(),
            warnings.Count(w => w.Kind == "not-mentioned" && w.Message.Contains("result", StringComparison.Ordinal)));
    }
}

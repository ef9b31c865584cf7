using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>
/// Model fakes that break the answer contract on purpose, end to end (generate → stored draft → sign): (a) free text in
/// every cite position, (b) invented keys inline, (c) an invented number in every statement, (d) truncated JSON.
/// Every answer is flagged with a critical finding (100 %), and none can be signed as generated without the explicit
/// "sign unverified, with a reason" override, which is stored and audited.
/// </summary>
public sealed class AdversarialModelTests : IAsyncLifetime
{
    private static readonly Actor Clinician = new("u-clin", "Dr Clinician");
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        await _db.DisposeAsync();
    }

    private readonly List<TestHost> _hosts = [];

    private DraftGenerator Generator(IDraftModel model)
    {
        var host = TestHost.Create(_db, model, time: _time);
        _hosts.Add(host);
        return host.Get<DraftGenerator>();
    }

    /// <summary>The ids of the critical warnings of <paramref name="text"/> that need acknowledging (docs/adr/0029).</summary>
    private static string[] Acknowledge(Draft draft, string text) =>
        [.. DraftWarningTiers.Current(draft, text).Where(w => w.NeedsAcknowledgement).Select(w => w.Id)];

    private DraftWorkflow Workflow() => new(_db, new AuditLog(_db, _time), _time, NullLogger<DraftWorkflow>.Instance);

    private static DraftAnswer Clean()
    {
        var context = DraftingTestData.Context();
        return new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero).ComposeAnswer(context, CitationIndex.Build(context));
    }

    /// <summary>(a) Every cite array holds sentences (with numbers in them) instead of keys.</summary>
    internal static string FreeTextInCite()
    {
        var json = System.Text.Json.Nodes.JsonNode.Parse(Clean().ToJson())!;
        var i = 0;
        foreach (var cite in Descendants(json).Where(n => n is System.Text.Json.Nodes.JsonObject o && o.ContainsKey("cite")).Select(n => n!["cite"]!.AsArray()).ToList())
        {
            cite.Clear();
            cite.Add($"Finding {++i} is supported by the potassium of {340 + i} on day {i}");
        }
        return json.ToJsonString();
    }

    /// <summary>(b) Every statement carries invented keys inline and in its cite array.</summary>
    internal static string InventedKeys()
    {
        var clean = Clean();
        static CitedStatement Invent(CitedStatement s, int i) => new($"{s.Text} [ZZ{900 + i}]", [.. s.Cite, $"Q{i}"]);
        var i = 0;
        return (clean with
        {
            Summary = clean.Summary is { } s ? Invent(s, ++i) : null,
            KeyFindings = [.. clean.KeyFindings.Select(f => Invent(f, ++i))],
            NextSteps = [.. clean.NextSteps.Select(f => Invent(f, ++i))],
            Problems = [.. clean.Problems.Select(p => p with { Assessment = p.Assessment + $" [ZZ{900 + ++i}]" })],
        }).ToJson();
    }

    /// <summary>(c) An invented number in every position: summary, problems, findings, differentials (for and
    /// against), next steps and open questions — bare, with a unit, as a ratio.</summary>
    internal static (string Json, IReadOnlyList<string> Invented) InventedNumbers()
    {
        var clean = Clean();
        var invented = new List<string>();
        string Add(string text)
        {
            var n = (invented.Count % 3) switch
            {
                0 => (917.3m + invented.Count).ToString(CultureInfo.InvariantCulture),
                1 => (811 + invented.Count).ToString(CultureInfo.InvariantCulture) + " mg",
                _ => $"{(701 + invented.Count).ToString(CultureInfo.InvariantCulture)}/{(401 + invented.Count).ToString(CultureInfo.InvariantCulture)} mmHg",
            };
            invented.Add(n);
            return $"{text}, reported as {n}";
        }
        CitedStatement S(CitedStatement s) => s with { Text = Add(s.Text) };
        var answer = clean with
        {
            Summary = clean.Summary is { } s ? S(s) : null,
            Problems = [.. clean.Problems.Select(p => p with { Assessment = Add(p.Assessment), Evidence = [.. p.Evidence.Select(S)], Plan = [.. p.Plan.Select(S)] })],
            Medications = [.. clean.Medications.Select(S)],
            Allergies = [.. clean.Allergies.Select(S)],
            KeyFindings = [.. clean.KeyFindings.Select(S)],
            Differentials = [.. clean.Differentials.Select(d => d with { Diagnosis = Add(d.Diagnosis), Supporting = [.. d.Supporting.Select(S)], Opposing = [.. d.Opposing.Select(S)] })],
            NextSteps = [.. clean.NextSteps.Select(S)],
            OpenQuestions = [.. clean.OpenQuestions.Select(S)],
        };
        return (answer.ToJson(), invented);
    }

    /// <summary>(d) The answer stops mid-string, as the issue's example did.</summary>
    internal const string Truncated = """{"summary": {"text": "unterminated [L1""";

    public static TheoryData<string> Fakes => ["free-text-in-cite", "invented-keys", "invented-numbers", "truncated-json"];

    private static string AnswerOf(string fake) => fake switch
    {
        "free-text-in-cite" => FreeTextInCite(),
        "invented-keys" => InventedKeys(),
        "invented-numbers" => InventedNumbers().Json,
        "truncated-json" => Truncated,
        _ => throw new ArgumentOutOfRangeException(nameof(fake)),
    };

    private async Task<Draft> GenerateAsync(string answer)
    {
        var id = await Generator(new FakeModel(answer)).GenerateAsync(DraftingTestData.Context(), "Demo", Clinician, _ => Task.CompletedTask, Ct);
        await using var db = _db.CreateDbContext();
        return await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == id, Ct);
    }

    [Theory]
    [MemberData(nameof(Fakes))]
    public async Task Every_broken_answer_is_flagged_critical_and_cannot_be_signed_without_the_override(string fake)
    {
        var draft = await GenerateAsync(AnswerOf(fake));

        Assert.Equal(DraftStatus.Draft, draft.Status);
        var warnings = JsonSerializer.Deserialize<List<DraftWarning>>(draft.WarningsJson)!;
        Assert.Contains(warnings, w => w.IsCritical);
        var verification = JsonSerializer.Deserialize<DraftVerification>(draft.VerificationJson!)!;
        Assert.True(verification.HasCriticalFindings);
        Assert.False(DraftSignGate.Evaluate(draft, draft.GeneratedText).Verified);

        // Server-side: attested, as generated, no reason → refused, nothing stored, the refusal audited without text.
        var refused = await Workflow().SignAsync(draft.Id, draft.GeneratedText, attested: true, Clinician, Ct);
        Assert.False(refused.Succeeded);
        Assert.Contains("did not verify", refused.Message, StringComparison.Ordinal);
        Assert.Contains("sign it as unverified with a reason", refused.Message, StringComparison.Ordinal);
        await using (var db = _db.CreateDbContext())
        {
            Assert.Equal(DraftStatus.Draft, (await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == draft.Id, Ct)).Status);
            var audit = await db.AuditEvents.AsNoTracking().Where(a => a.Action == AuditActions.DecisionRefused).SingleAsync(Ct);
            Assert.StartsWith("sign gate: unverified findings=", audit.Details, StringComparison.Ordinal);
        }

        // A reason that is too short is refused too.
        Assert.False((await Workflow().SignAsync(draft.Id, draft.GeneratedText, true, Clinician, Ct, unverifiedReason: "ok")).Succeeded);

        // The explicit override signs it, stores the reason with what it overrode, and audits it as an override.
        var signed = await Workflow().SignAsync(draft.Id, draft.GeneratedText, true, Clinician, Ct,
            unverifiedReason: "Checked every statement against the chart myself.", acknowledged: Acknowledge(draft, draft.GeneratedText));
        Assert.True(signed.Succeeded, signed.Message);
        await using (var db = _db.CreateDbContext())
        {
            var stored = await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == draft.Id, Ct);
            Assert.Equal(DraftStatus.Signed, stored.Status);
            var after = JsonSerializer.Deserialize<DraftVerification>(stored.VerificationJson!)!;
            Assert.Equal("Checked every statement against the chart myself.", after.SignedUnverified!.Reason);
            Assert.NotEmpty(after.SignedUnverified.Findings);
            var audit = await db.AuditEvents.AsNoTracking().Where(a => a.Action == AuditActions.DraftSigned).SingleAsync(Ct);
            Assert.Contains("verification=unverified-override", audit.Details, StringComparison.Ordinal);
            Assert.DoesNotContain("Checked every statement", audit.Details, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Free_text_in_cite_is_reported_and_never_rendered_as_chips()
    {
        var draft = await GenerateAsync(FreeTextInCite());

        var verification = JsonSerializer.Deserialize<DraftVerification>(draft.VerificationJson!)!;
        Assert.NotEmpty(verification.InvalidCitations);
        Assert.All(verification.InvalidCitations, c => Assert.StartsWith("Finding ", c, StringComparison.Ordinal));
        var chips = DraftText.Parse(draft.GeneratedText).SelectMany(l => l.Segments).Where(s => s.IsCitation).ToList();
        Assert.Empty(chips);
        Assert.DoesNotContain("[FINDING]", draft.GeneratedText, StringComparison.Ordinal);
        Assert.DoesNotContain("supported by the potassium", draft.GeneratedText, StringComparison.Ordinal);
        var warnings = JsonSerializer.Deserialize<List<DraftWarning>>(draft.WarningsJson)!;
        Assert.Equal(verification.InvalidCitations.Count, warnings.Count(w => w.Kind == "invalid-citation"));
    }

    [Fact]
    public async Task Invented_keys_render_as_citations_that_do_not_resolve_and_are_each_reported()
    {
        var draft = await GenerateAsync(InventedKeys());

        var map = DraftText.ReadCitationMap(draft.CitationsJson);
        var chips = DraftText.Parse(draft.GeneratedText).SelectMany(l => l.Segments).Where(s => s.IsCitation).Select(s => s.Text).ToHashSet();
        var invented = chips.Where(k => !map.ContainsKey(k)).ToList();
        Assert.Contains("ZZ901", invented);
        Assert.Contains("Q1", invented);
        var verification = JsonSerializer.Deserialize<DraftVerification>(draft.VerificationJson!)!;
        Assert.Equal(invented.Order(StringComparer.Ordinal), verification.UnknownKeys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_invented_number_in_every_position_is_flagged()
    {
        var (json, invented) = InventedNumbers();
        var draft = await GenerateAsync(json);

        var flagged = JsonSerializer.Deserialize<DraftVerification>(draft.VerificationJson!)!.NumberMismatches.Select(m => m.Value).ToList();
        Assert.True(invented.Count >= 10, $"{invented.Count} positions");
        foreach (var n in invented)
        {
            var value = n.Split(' ', '/')[0];
            Assert.True(flagged.Any(f => f.Contains(value, StringComparison.Ordinal)), $"{n} not flagged; flagged: {string.Join(", ", flagged)}");
        }
    }

    [Fact]
    public async Task A_truncated_answer_is_stored_as_unverified_and_signable_only_after_an_edit_that_verifies()
    {
        var draft = await GenerateAsync(Truncated);
        Assert.False(draft.AnswerStructured);
        Assert.False(JsonSerializer.Deserialize<DraftVerification>(draft.VerificationJson!)!.Structured);

        // An edit that still does not verify (an uncited statement) is refused…
        var uncited = await Workflow().SignAsync(draft.Id, "Potassium high, treated.", true, Clinician, Ct);
        Assert.False(uncited.Succeeded);
        Assert.Contains("cites nothing in the record", uncited.Message, StringComparison.Ordinal);

        // …an edit with an invented key too…
        Assert.False((await Workflow().SignAsync(draft.Id, "Hyperkalaemia treated with insulin-dextrose [ZZ900].", true, Clinician, Ct)).Succeeded);

        // …and the clinician's replacement that cites the record is signed as verified.
        // (The replacement leaves out the penicillin anaphylaxis and the critical Hb: critical warnings, acknowledged.)
        var replacement = "Hyperkalaemia treated with insulin-dextrose [P2][L1].";
        var ok = await Workflow().SignAsync(draft.Id, replacement, true, Clinician, Ct, acknowledged: Acknowledge(draft, replacement));
        Assert.True(ok.Succeeded, ok.Message);
        await using var db = _db.CreateDbContext();
        var audit = await db.AuditEvents.AsNoTracking().Where(a => a.Action == AuditActions.DraftSigned).SingleAsync(Ct);
        Assert.Contains("verification=verified", audit.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_faithful_answer_signs_without_any_override()
    {
        var draft = await GenerateAsync(Clean().ToJson());
        Assert.True(DraftSignGate.Evaluate(draft, draft.GeneratedText).Verified);
        Assert.True((await Workflow().SignAsync(draft.Id, draft.GeneratedText, true, Clinician, Ct)).Succeeded);
    }

    private static IEnumerable<System.Text.Json.Nodes.JsonNode?> Descendants(System.Text.Json.Nodes.JsonNode? node)
    {
        yield return node;
        switch (node)
        {
            case System.Text.Json.Nodes.JsonObject o:
                foreach (var child in o.Select(p => p.Value).ToList())
                    foreach (var d in Descendants(child)) yield return d;
                break;
            case System.Text.Json.Nodes.JsonArray a:
                foreach (var child in a.ToList())
                    foreach (var d in Descendants(child)) yield return d;
                break;
        }
    }

    /// <summary>Answers with a fixed text, in small pieces as a stream would.</summary>
    private sealed class FakeModel(string answer) : IDraftModel
    {
        public string DisplayName => "Adversarial fake model";
        public bool IsAi => true;
        public string ModelId => "adversarial-fake";

        public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            for (var i = 0; i < answer.Length; i += 40)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await Task.Yield();
                yield return answer.Substring(i, Math.Min(40, answer.Length - i));
            }
        }
    }
}

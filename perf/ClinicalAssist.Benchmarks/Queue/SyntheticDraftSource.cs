using System.Text;
using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Review;

namespace ClinicalAssist.Benchmarks.Queue;

public sealed record Clinician(string Id, string Name);

/// <summary>
/// A deterministic, synthetic year of drafts, produced in creation order (as the app inserts them): mostly approved
/// or returned, ~5% signed and awaiting review, some draft/rejected/failed/stopped; 40 clinicians, 3 models, template
/// v2 rolled out a third of the way through the year, ~20% with verification warnings, ~300-character texts.
/// No real person is described: patient labels are made up from word lists.
/// </summary>
public sealed class SyntheticDraftSource
{
    public const int ClinicianCount = 40;
    public const int PatientCount = 60_000;
    public static readonly TimeSpan Year = TimeSpan.FromDays(365);
    /// <summary>Template v2 replaced v1 this long after the start of the year.</summary>
    public static readonly TimeSpan TemplateV2After = TimeSpan.FromDays(120);
    public const string TemplateId = PromptBuilder.TemplateId;

    public static readonly (string Id, string Drafter, bool IsAi, double Weight)[] Models =
    [
        ("gpt-4o", "Azure AI Foundry · gpt-4o (AI-generated draft)", true, 0.55),
        ("gpt-4o-mini", "Azure AI Foundry · gpt-4o-mini (AI-generated draft)", true, 0.35),
        (OfflineDrafter.OfflineModelId, OfflineDrafter.OfflineDisplayName, false, 0.10),
    ];

    public static readonly (DraftStatus Status, double Weight)[] Statuses =
    [
        (DraftStatus.Approved, 0.70),
        (DraftStatus.Returned, 0.13),
        (DraftStatus.Signed, 0.05),
        (DraftStatus.Rejected, 0.06),
        (DraftStatus.Draft, 0.03),
        (DraftStatus.Failed, 0.02),
        (DraftStatus.Stopped, 0.01),
    ];

    private const double WarningShare = 0.20;
    private const int PoolSize = 256;

    private readonly Random _random;
    private readonly (string Id, string Label)[] _patients;
    private readonly string[] _texts;
    private readonly string[] _contexts;
    private readonly string[] _citations;
    private readonly string[][] _warnings;

    public SyntheticDraftSource(int seed, DateTimeOffset end)
    {
        _random = new Random(seed);
        End = new DateTimeOffset(end.UtcDateTime.Date, TimeSpan.Zero);
        Start = End - Year;
        Clinicians = Enumerable.Range(1, ClinicianCount)
            .Select(i => new Clinician(NewGuid().ToString(), $"Dr Clinician {i:00}"))
            .ToArray();
        _patients = Enumerable.Range(0, PatientCount)
            .Select(_ => (NewGuid().ToString(), $"{Pick(GivenNames)} {Pick(FamilyNames)}"))
            .ToArray();
        _texts = Enumerable.Range(0, PoolSize).Select(_ => SummaryText()).ToArray();
        _contexts = Enumerable.Range(0, PoolSize).Select(_ => ContextJson()).ToArray();
        _citations = Enumerable.Range(0, PoolSize).Select(_ => CitationsJson()).ToArray();
        _warnings = Enumerable.Range(1, 3).Select(n => Enumerable.Range(0, PoolSize).Select(_ => WarningsJson(n)).ToArray()).ToArray();
    }

    /// <summary>Start of the synthetic year (UTC midnight).</summary>
    public DateTimeOffset Start { get; }

    /// <summary>End of the synthetic year (today's UTC midnight); every time stamp is before it.</summary>
    public DateTimeOffset End { get; }

    public IReadOnlyList<Clinician> Clinicians { get; }

    /// <summary><paramref name="count"/> drafts in creation order.</summary>
    public IEnumerable<Draft> Generate(int count)
    {
        // Creation times: uniform over the year (millisecond precision: what DateTimeOffsetToBinaryConverter keeps
        // exactly), sorted so that row ids follow time as they do in production.
        var span = (long)(Year - TimeSpan.FromDays(3)).TotalMilliseconds;
        var offsets = new long[count];
        for (var i = 0; i < count; i++) offsets[i] = _random.NextInt64(span);
        Array.Sort(offsets);
        for (var i = 0; i < count; i++)
        {
            yield return Create(Start.AddMilliseconds(offsets[i]));
        }
    }

    /// <summary>One more draft, for checking how a row is stored.</summary>
    public Draft CreateProbe(DraftStatus status) => CreateWithStatus(End.AddDays(-10), status);

    private Draft Create(DateTimeOffset createdAt) => CreateWithStatus(createdAt, PickWeighted(Statuses));

    private Draft CreateWithStatus(DateTimeOffset createdAt, DraftStatus status)
    {
        var (patientId, patientLabel) = _patients[_random.Next(_patients.Length)];
        var clinician = Clinicians[_random.Next(Clinicians.Count)];
        var model = Models[PickWeightedIndex(Models.Select(m => m.Weight))];
        var text = _texts[_random.Next(PoolSize)];
        var completed = status is not DraftStatus.Generating and not DraftStatus.Interrupted;
        var durationMs = model.IsAi ? _random.Next(4_000, 45_000) : _random.Next(150, 900);
        var warningCount = status is DraftStatus.Failed or DraftStatus.Stopped || _random.NextDouble() >= WarningShare
            ? 0
            : 1 + _random.Next(3);

        var draft = new Draft
        {
            Id = NewGuid(),
            PatientId = patientId,
            PatientLabel = patientLabel,
            EncounterId = _random.NextDouble() < 0.7 ? NewGuid().ToString() : null,
            RecordSource = _random.NextDouble() < 0.9 ? "fhir" : "demo",
            ContextResourcesJson = _contexts[_random.Next(PoolSize)],
            ContextHash = RandomHex(32),
            CitationsJson = _citations[_random.Next(PoolSize)],
            DrafterName = model.Drafter,
            ModelId = model.Id,
            IsAiGenerated = model.IsAi,
            TemplateId = TemplateId,
            TemplateVersion = createdAt - Start >= TemplateV2After ? 2 : 1,
            Status = status,
            GeneratedText = status is DraftStatus.Failed ? "" : status is DraftStatus.Stopped ? text[..(text.Length / 3)] : text,
            WarningsJson = warningCount == 0 ? "[]" : _warnings[warningCount - 1][_random.Next(PoolSize)],
            WarningCount = warningCount,
            FailureMessage = status is DraftStatus.Failed ? "The model endpoint did not answer in time." : null,
            CreatedById = clinician.Id,
            CreatedByName = clinician.Name,
            CreatedAt = createdAt,
            CompletedAt = completed ? createdAt.AddMilliseconds(durationMs) : null,
            TimeToFirstTokenMs = completed && model.IsAi ? _random.Next(250, 2_500) : null,
            DurationMs = completed ? durationMs : null,
            Version = NewGuid(),
        };

        if (status is DraftStatus.Signed or DraftStatus.Approved or DraftStatus.Returned or DraftStatus.Rejected)
        {
            // Decided between a minute and two days after generation, never in the future.
            var decidedAt = createdAt.AddMilliseconds(durationMs + (long)Math.Exp(_random.NextDouble() * Math.Log(172_800_000 - 60_000)) + 60_000);
            draft.ClinicianDecisionById = clinician.Id;
            draft.ClinicianDecisionByName = clinician.Name;
            draft.ClinicianDecisionAt = decidedAt < End ? decidedAt : End.AddMilliseconds(-1);
            if (status is DraftStatus.Rejected)
            {
                draft.RejectionReason = Pick(DecisionReasons.All).Code;
                draft.RejectionComment = _random.NextDouble() < 0.3 ? "Summary omits the current medication list." : null;
            }
            else
            {
                var edited = _random.NextDouble() < 0.4;
                draft.SignedText = edited ? text + " Reviewed with the patient today." : text;
                draft.EditDistance = edited ? Math.Round(_random.NextDouble() * 0.3, 4) : 0;
                draft.Attested = true;
            }
        }
        return draft;
    }

    private string SummaryText()
    {
        var text = new StringBuilder();
        while (text.Length < 260)
        {
            text.Append(Pick(Sentences)).Append(' ');
            text.Append("[").Append((char)('A' + _random.Next(3))).Append(_random.Next(1, 12)).Append("] ");
        }
        return text.ToString().TrimEnd();
    }

    private string ContextJson() => JsonSerializer.Serialize(Enumerable.Range(0, 6)
        .Select(i => $"{Pick(ResourceTypes)}/{NewGuid()}/_history/{1 + _random.Next(3)}")
        .Order(StringComparer.Ordinal));

    private string CitationsJson() => JsonSerializer.Serialize(Enumerable.Range(1, 4)
        .ToDictionary(i => $"L{i}", _ => $"{Pick(ResourceTypes)}/{NewGuid()}/_history/1"));

    private string WarningsJson(int count) => JsonSerializer.Serialize(Enumerable.Range(0, count)
        .Select(_ => Pick(Warnings)));

    private Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 (Guid's little-endian layout)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(bytes);
    }

    private string RandomHex(int byteCount)
    {
        Span<byte> bytes = stackalloc byte[byteCount];
        _random.NextBytes(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_random.Next(items.Count)];

    private T PickWeighted<T>((T Item, double Weight)[] items) => items[PickWeightedIndex(items.Select(i => i.Weight))].Item;

    private int PickWeightedIndex(IEnumerable<double> weights)
    {
        var roll = _random.NextDouble();
        var index = 0;
        foreach (var weight in weights)
        {
            roll -= weight;
            if (roll < 0) return index;
            index++;
        }
        return index - 1;
    }

    private static readonly string[] GivenNames = ["Alex", "Sam", "Jordan", "Robin", "Casey", "Morgan", "Avery", "Riley", "Quinn", "Jamie", "Taylor", "Drew"];
    private static readonly string[] FamilyNames = ["Example", "Sample", "Testcase", "Placeholder", "Synthetic", "Fictional", "Demo", "Mock"];
    private static readonly string[] ResourceTypes = ["Condition", "Observation", "MedicationRequest", "AllergyIntolerance", "Encounter", "Procedure"];
    private static readonly string[] Warnings =
    [
        "Uncited statement in sentence 3.",
        "Citation [L9] does not match a resource in the context.",
        "Possible instruction in the record text was ignored.",
    ];
    private static readonly string[] Sentences =
    [
        "Type 2 diabetes mellitus, HbA1c trending down over the last two measurements.",
        "Hypertension controlled on current therapy; last blood pressure within target.",
        "No known drug allergies recorded in the chart.",
        "Recent encounter for acute bronchitis, resolved without complications.",
        "Chronic kidney disease stage 3a, eGFR stable compared with the previous result.",
        "Active medication list includes metformin and lisinopril.",
        "Body mass index above the healthy range at the latest visit.",
        "Influenza vaccination is up to date for this season.",
    ];
}

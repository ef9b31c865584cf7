using System.Globalization;
using System.Text;
using System.Text.Json;
using ClinicalAssist.Web.Features.Context;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>Nothing silently lost: over the 41 Synthea samples and the generated edge-case records, for each patient
/// and each resource type and observation category, resources received (counted straight from the JSON) = shown
/// (the items of the context's sections, counted from the lists themselves) + counted as not shown (the coverage's
/// lines, each with its reason). The totals over the samples are written to artifacts/coverage/ for
/// docs/reliability.md.</summary>
public sealed class RecordCoverageTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async System.Threading.Tasks.Task Every_resource_of_the_41_samples_is_shown_or_counted_with_a_reason()
    {
        var totals = await AccountFolderAsync(SyntheaDirectory(), new FhirOptions { MaxItemsPerSection = 500 }, expectedPatients: 41);

        // Every observation category of the samples reaches a section: none is lost to "not shown".
        Assert.Equal(0, totals.Where(t => t.Key.Type == "Observation" && t.Key.Outcome != CoverageOutcome.Shown).Sum(t => t.Value));
        Assert.Equal(392, totals.GetValueOrDefault(("Observation", "survey", CoverageOutcome.Shown)));
        Assert.Equal(42, totals.GetValueOrDefault(("Observation", "social-history", CoverageOutcome.Shown)));
        WriteTotals("synthea-41", totals, "MaxItemsPerSection=500 (default), WindowDays=0 (default)");
    }

    [Fact]
    public async System.Threading.Tasks.Task With_a_window_and_a_small_cap_what_is_left_out_is_counted_with_why()
    {
        var totals = await AccountFolderAsync(SyntheaDirectory(), new FhirOptions { MaxItemsPerSection = 50, WindowDays = 365 * 10 }, expectedPatients: 41);

        Assert.True(totals.Where(t => t.Key.Outcome == CoverageOutcome.OutsideWindow).Sum(t => t.Value) > 0);
        Assert.True(totals.Where(t => t.Key.Outcome == CoverageOutcome.OverCap).Sum(t => t.Value) > 0);
        WriteTotals("synthea-41-window-10y-cap-50", totals, "MaxItemsPerSection=50, WindowDays=3650");
    }

    [Fact]
    public async System.Threading.Tasks.Task The_generated_record_with_every_observation_category_is_accounted_for()
    {
        var folder = EdgeCaseRecords.WriteFolder();
        try
        {
            var totals = await AccountFolderAsync(folder, new FhirOptions(), expectedPatients: 2);
            Assert.Equal(1, totals.GetValueOrDefault(("Claim", (string?)null, CoverageOutcome.TypeNotShown)));
            Assert.Equal(1, totals.GetValueOrDefault(("Organization", (string?)null, CoverageOutcome.TypeNotShown)));

            var options = Options.Create(new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = folder });
            var source = new DirectoryRecordSource(options, new FakeTimeProvider(Now), NullLogger<DirectoryRecordSource>.Instance);
            var context = await new PatientContextBuilder(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance, options)
                .BuildAsync(EdgeCaseRecords.DeceasedId, Ct);
            Assert.NotNull(context);
            foreach (var (id, _, _, _, _, section) in EdgeCaseRecords.Observations)
            {
                var list = section switch { "Labs" => context.Labs, "Vitals" => context.Vitals, _ => context.OtherObservations };
                Assert.True(list.Any(o => o.Source.Id == id), $"{id} is in {section}");
            }

            Assert.Contains(context.OtherObservations, o => o.Category == "survey" && o.Display.Contains("viral load", StringComparison.Ordinal));
            Assert.Contains(context.OtherObservations, o => o.Category == ObservationKinds.Uncategorised);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Resources_the_builder_cannot_use_are_counted_as_unusable_or_repeated_not_dropped()
    {
        var (patient, resources) = DemoLikePatient();
        resources.Add(resources[0]); // the same encounter twice
        resources.Add(new Hl7.Fhir.Model.Observation { Status = Hl7.Fhir.Model.ObservationStatus.Final }); // no id
        var record = new PatientRecord(patient, resources, []) { Unreadable = new Dictionary<string, int> { ["Observation"] = 2 } };
        var builder = new PatientContextBuilder(new PatientContextBuilderTests.InMemorySource(), new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance);

        var coverage = builder.Build(record).Coverage;

        Assert.Equal(resources.Count + 1 + 2, coverage.Received); // + the patient, + two unreadable entries
        Assert.Equal(1, coverage.Count("Encounter", null, CoverageOutcome.Repeated));
        Assert.Equal(1, coverage.Count("Observation", ObservationKinds.Uncategorised, CoverageOutcome.Unusable) - 1); // no code + no id
        Assert.Equal(1, coverage.Count("Observation", "laboratory", CoverageOutcome.Unusable)); // another patient's potassium
        Assert.Equal(2, coverage.Count("Observation", null, CoverageOutcome.Unreadable));
        Assert.Equal(1, coverage.Count("Condition", null, CoverageOutcome.Unusable));
        Assert.Contains("1 observation of category laboratory not shown: nothing to show (no code or value, entered in error, cancelled, or another patient's)", coverage.NotShownLines());
    }

    /// <summary>Builds every patient of the folder and checks the accounting per patient; returns the totals.</summary>
    private static async Task<Dictionary<(string Type, string? Category, CoverageOutcome Outcome), int>> AccountFolderAsync(string folder, FhirOptions settings, int expectedPatients)
    {
        settings.Source = FhirSourceKind.Directory;
        settings.DirectoryPath = folder;
        var options = Options.Create(settings);
        var source = new DirectoryRecordSource(options, new FakeTimeProvider(Now), NullLogger<DirectoryRecordSource>.Instance);
        var builder = new PatientContextBuilder(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance, options);
        var totals = new Dictionary<(string, string?, CoverageOutcome), int>();
        var problems = new List<string>();
        var files = Directory.GetFiles(folder, "*.json");
        var patients = 0;
        foreach (var file in files)
        {
            var (patientId, kinds) = ReadBundle(file);
            var context = await builder.BuildAsync(patientId, Ct);
            Assert.NotNull(context);
            patients++;

            var received = kinds.Values.GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
            var shown = ShownItems(context).Select(reference => kinds[reference]).Append(kinds["Patient/" + patientId])
                .GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
            var coverage = context.Coverage;
            foreach (var key in received.Keys.Union(coverage.Counts.Select(c => (c.Type, c.Category))).Distinct())
            {
                var notShown = coverage.Counts.Where(c => c.Type == key.Item1 && c.Category == key.Item2 && c.Outcome != CoverageOutcome.Shown).Sum(c => c.Count);
                var inLists = shown.GetValueOrDefault(key);
                if (received.GetValueOrDefault(key) != inLists + notShown)
                {
                    problems.Add($"{Path.GetFileName(file)} {key}: received {received.GetValueOrDefault(key)}, shown {inLists}, counted as not shown {notShown}");
                }

                if (coverage.Count(key.Item1, key.Item2, CoverageOutcome.Shown) != inLists)
                {
                    problems.Add($"{Path.GetFileName(file)} {key}: coverage says {coverage.Count(key.Item1, key.Item2, CoverageOutcome.Shown)} shown, the sections hold {inLists}");
                }
            }

            // Every group that is not shown can be listed: one line per resource (the newest, up to the cap); the
            // unreadable ones have nothing to list.
            problems.AddRange(coverage.Counts.Where(c => c.Outcome is not (CoverageOutcome.Shown or CoverageOutcome.UsedByShownItem))
                .Where(c => c.Items.Count != (c.Outcome == CoverageOutcome.Unreadable ? 0 : Math.Min(c.Count, RecordCoverage.ItemsPerGroup)))
                .Select(c => $"{Path.GetFileName(file)}: {c.Count} {c.Type}/{c.Category} {c.Outcome} list {c.Items.Count} items"));

            // A type a section searches is never "a type the chart does not show".
            problems.AddRange(coverage.Counts.Where(c => c.Outcome == CoverageOutcome.TypeNotShown && ContextSections.Types.Contains(c.Type))
                .Select(c => $"{Path.GetFileName(file)}: {c.Count} {c.Type} fell through without a reason"));

            foreach (var count in coverage.Counts)
            {
                totals[(count.Type, count.Category, count.Outcome)] = totals.GetValueOrDefault((count.Type, count.Category, count.Outcome)) + count.Count;
            }
        }

        Assert.Equal(expectedPatients, patients);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        return totals;
    }

    /// <summary>The references of every item in every section of the context (the current encounter is also an item of
    /// the encounter history: counted once).</summary>
    private static HashSet<string> ShownItems(PatientContext context)
    {
        var items = new HashSet<string>(StringComparer.Ordinal);
        if (context.Encounter is { } e)
        {
            items.Add(e.Source.Reference);
        }

        IEnumerable<ResourceRef> all =
        [
            .. context.Conditions.Select(x => x.Source), .. context.Medications.Select(x => x.Source), .. context.Allergies.Select(x => x.Source),
            .. context.Labs.Select(x => x.Source), .. context.Vitals.Select(x => x.Source), .. context.OtherObservations.Select(x => x.Source),
            .. context.Notes.Select(x => x.Source), .. context.Procedures.Select(x => x.Source), .. context.DiagnosticReports.Select(x => x.Source),
            .. context.Immunizations.Select(x => x.Source), .. context.CarePlans.Select(x => x.Source),
            .. context.Entries.Values.SelectMany(list => list.Select(x => x.Source)),
        ];
        foreach (var source in all)
        {
            items.Add(source.Reference);
        }

        return items;
    }

    /// <summary>Type and observation category of every entry, straight from the JSON (independent of the Firely model
    /// and of the builder): "Type/id" → (type, category).</summary>
    private static (string PatientId, Dictionary<string, (string Type, string? Category)> Kinds) ReadBundle(string file)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var kinds = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
        var patientId = "";
        foreach (var entry in document.RootElement.GetProperty("entry").EnumerateArray())
        {
            var resource = entry.GetProperty("resource");
            var type = resource.GetProperty("resourceType").GetString()!;
            var id = resource.GetProperty("id").GetString()!;
            if (type == "Patient")
            {
                patientId = id;
            }

            kinds[$"{type}/{id}"] = (type, type == "Observation" ? Category(resource) : null);
        }

        return (patientId, kinds);
    }

    private static string Category(JsonElement observation)
    {
        if (observation.TryGetProperty("category", out var categories))
        {
            foreach (var category in categories.EnumerateArray())
            {
                if (category.TryGetProperty("coding", out var codings))
                {
                    foreach (var coding in codings.EnumerateArray())
                    {
                        if (coding.TryGetProperty("code", out var code) && code.GetString() is { Length: > 0 } value)
                        {
                            return value;
                        }
                    }
                }

                if (category.TryGetProperty("text", out var text) && text.GetString() is { Length: > 0 } words)
                {
                    return words;
                }
            }
        }

        return "uncategorised";
    }

    private static void WriteTotals(string name, Dictionary<(string Type, string? Category, CoverageOutcome Outcome), int> totals, string settings)
    {
        var outcomes = Enum.GetValues<CoverageOutcome>();
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"Settings: {settings}").AppendLine();
        sb.Append("| Type | Category | Received | ").AppendJoin(" | ", outcomes).AppendLine(" |");
        sb.Append("|---|---|---:|").AppendJoin("", outcomes.Select(_ => "---:|")).AppendLine();
        foreach (var group in totals.GroupBy(t => (t.Key.Type, t.Key.Category)).OrderBy(g => g.Key.Type, StringComparer.Ordinal).ThenBy(g => g.Key.Category, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {group.Key.Type} | {group.Key.Category ?? "—"} | {group.Sum(g => g.Value):N0} | ")
                .AppendJoin(" | ", outcomes.Select(o => group.Where(g => g.Key.Outcome == o).Sum(g => g.Value) is var n && n > 0 ? n.ToString("N0", CultureInfo.InvariantCulture) : "·"))
                .AppendLine(" |");
        }

        sb.Append(CultureInfo.InvariantCulture, $"| **All** | | **{totals.Values.Sum():N0}** | ")
            .AppendJoin(" | ", outcomes.Select(o => totals.Where(t => t.Key.Outcome == o).Sum(t => t.Value).ToString("N0", CultureInfo.InvariantCulture)))
            .AppendLine(" |");
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ClinicalAssist.sln")))
        {
            dir = dir.Parent;
        }

        var output = Path.Combine(dir?.FullName ?? Path.GetTempPath(), "artifacts", "coverage");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, name + ".md"), sb.ToString());
    }
}

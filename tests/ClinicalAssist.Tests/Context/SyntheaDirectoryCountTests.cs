using System.Text.Json;
using ClinicalAssist.Web.Features.Context;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>The Directory source over every Synthea sample in shared/ (read in place): every bundle loads, and each
/// section holds exactly as many items as the bundle has resources of that kind.</summary>
public sealed class SyntheaDirectoryCountTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async System.Threading.Tasks.Task Every_bundle_loads_and_section_counts_equal_the_bundles_resource_counts()
    {
        var folder = SyntheaDirectory();
        var options = Options.Create(new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = folder, MaxItemsPerSection = 100_000 });
        var source = new DirectoryRecordSource(options, new FakeTimeProvider(Now), NullLogger<DirectoryRecordSource>.Instance);
        var builder = new PatientContextBuilder(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance, options);
        var files = Directory.GetFiles(folder, "*.json");
        Assert.Equal(41, files.Length);
        Assert.Equal(41, (await source.SearchPatientsAsync(null, Ct)).Count);

        var mismatches = new List<string>();
        foreach (var file in files)
        {
            var expected = CountResources(file, out var patientId);
            var context = await builder.BuildAsync(patientId, Ct);
            Assert.NotNull(context);
            var actual = new Dictionary<string, int>
            {
                ["Encounter"] = context.Encounter is null ? 0 : 1,
                ["Conditions"] = context.Conditions.Count,
                ["Medications"] = context.Medications.Count,
                ["Allergies"] = context.Allergies.Count,
                ["Labs"] = context.Labs.Count,
                ["Vitals"] = context.Vitals.Count,
                ["OtherObservations"] = context.OtherObservations.Count,
                ["Procedures"] = context.Procedures.Count,
                ["Reports"] = context.DiagnosticReports.Count,
                ["Immunizations"] = context.Immunizations.Count,
                ["CarePlans"] = context.CarePlans.Count,
                ["Notes"] = context.Notes.Count,
                ["EncounterHistory"] = context.EntriesOf("EncounterHistory").Count,
            };
            foreach (var (section, count) in expected)
            {
                if (actual[section] != count)
                {
                    mismatches.Add($"{Path.GetFileName(file)} {section}: bundle {count}, context {actual[section]}");
                }

                var status = context.Sections.Single(s => s.Section == section);
                if (status.Count != count || status.State != (count == 0 ? SectionState.Empty : SectionState.Loaded))
                {
                    mismatches.Add($"{Path.GetFileName(file)} {section}: status {status}");
                }
            }

            Assert.All(context.Labs.Concat(context.Vitals), o => Assert.True(context.Resources.ContainsKey(o.Source.Reference)));
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public async System.Threading.Tasks.Task The_largest_patient_is_capped_per_section_and_says_so()
    {
        var folder = SyntheaDirectory();
        var options = Options.Create(new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = folder, MaxItemsPerSection = 50 });
        var source = new DirectoryRecordSource(options, new FakeTimeProvider(Now), NullLogger<DirectoryRecordSource>.Instance);
        var builder = new PatientContextBuilder(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance, options);
        var file = Path.Combine(folder, "Harland_DuBuque_64e50922-047c-4b7a-9a9e-75c85ff2144f.json");
        var expected = CountResources(file, out var patientId);

        var context = await builder.BuildAsync(patientId, Ct);

        Assert.NotNull(context);
        Assert.Equal(50, context.Vitals.Count);
        var vitals = context.Sections.Single(s => s.Section == "Vitals");
        Assert.Equal(SectionState.Capped, vitals.State);
        Assert.Equal(50, vitals.Count);
        Assert.Equal($"showing 50 of {expected["Vitals"]:N0} vitals (newest first).", vitals.Message);
        Assert.True(context.Vitals.Zip(context.Vitals.Skip(1)).All(p => p.First.Effective >= p.Second.Effective), "newest kept");
        Assert.Equal(SectionState.Loaded, context.Sections.Single(s => s.Section == "Labs").State); // 34 labs: under the cap
    }

    [Fact]
    public async System.Threading.Tasks.Task The_time_window_keeps_only_recent_dated_items()
    {
        var folder = SyntheaDirectory();
        var all = Options.Create(new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = folder, MaxItemsPerSection = 100_000 });
        var windowed = Options.Create(new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = folder, MaxItemsPerSection = 100_000, WindowDays = 365 * 3 });
        var source = new DirectoryRecordSource(all, new FakeTimeProvider(Now), NullLogger<DirectoryRecordSource>.Instance);
        var file = Path.Combine(folder, "Floyd_Connelly_66843218-a9f9-4f16-8347-bdc2a0d14265.json");
        CountResources(file, out var patientId);

        var full = await new PatientContextBuilder(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance, all).BuildAsync(patientId, Ct);
        var recent = await new PatientContextBuilder(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance, windowed).BuildAsync(patientId, Ct);

        Assert.NotNull(full);
        Assert.NotNull(recent);
        var start = Now.AddDays(-365 * 3);
        Assert.Equal(full.Labs.Count(l => l.Effective >= start), recent.Labs.Count);
        Assert.True(recent.Labs.Count < full.Labs.Count, "the window drops older labs");
        Assert.Equal(full.Conditions.Count, recent.Conditions.Count); // problem lists are not windowed
    }

    /// <summary>Counts straight from the JSON, independent of the Firely model and of the builder.</summary>
    private static Dictionary<string, int> CountResources(string file, out string patientId)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(file));
        var counts = ContextSections.Keys.ToDictionary(s => s, _ => 0);
        patientId = "";
        var encounters = 0;
        foreach (var entry in document.RootElement.GetProperty("entry").EnumerateArray())
        {
            var resource = entry.GetProperty("resource");
            var type = resource.GetProperty("resourceType").GetString();
            switch (type)
            {
                case "Patient": patientId = resource.GetProperty("id").GetString()!; break;
                case "Encounter": encounters++; break;
                case "Condition": counts["Conditions"]++; break;
                case "MedicationRequest" or "MedicationStatement": counts["Medications"]++; break;
                case "AllergyIntolerance": counts["Allergies"]++; break;
                case "Procedure": counts["Procedures"]++; break;
                case "DiagnosticReport": counts["Reports"]++; break;
                case "Immunization": counts["Immunizations"]++; break;
                case "CarePlan" or "Goal": counts["CarePlans"]++; break;
                case "DocumentReference": counts["Notes"]++; break;
                case "Observation":
                    var categories = resource.TryGetProperty("category", out var c)
                        ? c.EnumerateArray().SelectMany(x => x.TryGetProperty("coding", out var cd) ? cd.EnumerateArray() : Enumerable.Empty<JsonElement>())
                            .Select(x => x.TryGetProperty("code", out var code) ? code.GetString() : null).ToList()
                        : [];
                    if (categories.Contains("laboratory"))
                    {
                        counts["Labs"]++;
                    }
                    else if (categories.Contains("vital-signs") || categories.Contains("vital-sign")) // both spellings occur in Synthea
                    {
                        counts["Vitals"]++;
                    }
                    else
                    {
                        counts["OtherObservations"]++; // survey, exam, social-history, imaging, procedure
                    }

                    break;
            }
        }

        counts["Encounter"] = Math.Min(encounters, 1);
        counts["EncounterHistory"] = encounters; // Synthea writes no cancelled or entered-in-error encounters
        return counts;
    }
}

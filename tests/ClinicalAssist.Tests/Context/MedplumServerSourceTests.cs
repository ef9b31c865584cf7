using System.Globalization;
using ClinicalAssist.Web.Features.Context;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>The Server source against an independent FHIR server implementation: Medplum's in-memory engine,
/// loaded with Synthea bundles by transaction. Medplum assigns its own ids, sends no next links and has no
/// $everything; the context built through it must hold the same items, section by section, as the one built
/// from the same bundles by the Directory source.</summary>
public sealed class MedplumServerSourceTests
{
    /// <summary>Also read with 10-entry pages (following Medplum's paging): three small patients and the largest sample.
    /// Every sample is compared with the server's default paging.</summary>
    private static readonly string[] PagedPatients =
    [
        "Floyd_Connelly_66843218-a9f9-4f16-8347-bdc2a0d14265.json",
        "Willy_Koepp_ebbb96ce-c538-4ac4-ad6a-7c709ef6639c.json",
        "Jonathon_Dietrich_5897ac59-dcad-4652-8846-cf9d645d546d.json",
        "Harland_DuBuque_64e50922-047c-4b7a-9a9e-75c85ff2144f.json",
    ];

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async System.Threading.Tasks.Task Server_context_through_medplum_equals_the_directory_context_for_the_same_patients()
    {
        var samples = SyntheaDirectory();
        var folder = Directory.CreateTempSubdirectory("ca-medplum-").FullName;
        try
        {
            var patients = Directory.GetFiles(samples, "*.json").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
            Assert.Equal(41, patients.Count);
            foreach (var file in patients)
            {
                File.CreateSymbolicLink(Path.Combine(folder, file), Path.Combine(samples, file)); // read in place, never copied
            }

            await using var medplum = await MedplumServer.StartAsync(Ct);
            using (var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) })
            {
                foreach (var file in patients)
                {
                    await medplum.LoadTransactionAsync(http, Path.Combine(samples, file), Ct);
                }
            }

            var options = new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = folder, MaxItemsPerSection = 100_000 };
            var directory = new DirectoryRecordSource(Options.Create(options), new FakeTimeProvider(Now), NullLogger<DirectoryRecordSource>.Instance);
            var fromDirectory = new PatientContextBuilder(directory, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance, Options.Create(options));

            using var host = ServerRecordSourceTests.Host(medplum.BaseUrl, pageSize: 100, token: null, extra: new Dictionary<string, string?>
            {
                ["Fhir:MaxItemsPerSection"] = "100000",
            });
            var server = (ServerRecordSource)host.Services.GetRequiredService<IPatientRecordSource>();
            using var scope = host.Services.CreateScope();
            var fromServer = scope.ServiceProvider.GetRequiredService<PatientContextBuilder>();

            // Small pages, so that long searches follow Medplum's next links (sorted newest first by the server).
            using var pagedHost = ServerRecordSourceTests.Host(medplum.BaseUrl, pageSize: 10, maxPages: 1000, token: null, extra: new Dictionary<string, string?>
            {
                ["Fhir:MaxItemsPerSection"] = "100000",
            });
            using var pagedScope = pagedHost.Services.CreateScope();
            var fromPagedServer = pagedScope.ServiceProvider.GetRequiredService<PatientContextBuilder>();

            var compared = 0;
            foreach (var summary in await directory.SearchPatientsAsync(null, Ct))
            {
                compared++;
                var found = await server.SearchPatientsAsync(summary.Mrn, Ct); // identifier search on the server
                var match = Assert.Single(found);
                Assert.Equal(summary.DisplayName, match.DisplayName);
                Assert.Equal(summary.BirthDate, match.BirthDate);

                var expected = await fromDirectory.BuildAsync(summary.Id, Ct);
                var actual = await fromServer.BuildAsync(match.Id, Ct);
                Assert.NotNull(expected);
                Assert.NotNull(actual);
                Assert.Equal("searches", (await server.GetRecordAsync(match.Id, Ct))?.Strategy); // Medplum has no $everything

                Assert.DoesNotContain(actual.Sections, s => s.State is SectionState.Failed or SectionState.Capped);
                Assert.Equal(expected.Sections.Select(s => (s.Section, s.State, s.Count)), actual.Sections.Select(s => (s.Section, s.State, s.Count)));
                foreach (var (section, items) in Content(expected))
                {
                    Assert.Equal(items, Content(actual)[section]);
                }

                if (!PagedPatients.Any(f => f.Contains(summary.Id, StringComparison.Ordinal))) continue;
                Assert.True(expected.Labs.Count + expected.Vitals.Count > 20, "the comparison covers more than one page of observations");

                var paged = await fromPagedServer.BuildAsync(match.Id, Ct);
                Assert.NotNull(paged);
                Assert.DoesNotContain(paged.Sections, s => s.State is SectionState.Failed or SectionState.Capped);
                Assert.Equal(expected.Sections.Select(s => (s.Section, s.State, s.Count)), paged.Sections.Select(s => (s.Section, s.State, s.Count)));
                foreach (var (section, items) in Content(expected))
                {
                    Assert.Equal(items, Content(paged)[section]);
                }
            }
            Assert.Equal(41, compared);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>Each section's items by content (no ids: the server assigns its own), in the builder's order.</summary>
    internal static Dictionary<string, List<string>> Content(PatientContext c)
    {
        static string D(DateTimeOffset? d) => d?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) ?? "-";
        static string N(decimal? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "-";
        static string Obs(ContextObservation o) =>
            $"{o.Display}|{o.Loinc}|{N(o.Value)}|{o.Unit}|{o.ValueText}|{o.ReferenceRange}|{o.Interpretation}|{D(o.Effective)}|" +
            string.Join(";", o.Components.Select(x => $"{x.Display}={N(x.Value)} {x.Unit}"));

        var content = new Dictionary<string, List<string>>
        {
            ["Patient"] = [$"{c.Patient.DisplayName}|{c.Patient.Sex}|{c.Patient.AgeYears}|{c.Patient.BirthDate}|{c.Patient.Mrn}"],
            ["Encounter"] = c.Encounter is { } e ? [$"{e.Status}|{e.Class}|{e.Reason}|{e.Location}|{D(e.Start)}"] : [],
            ["Conditions"] = c.Conditions.Select(x => $"{x.Display}|{x.Snomed}|{x.Icd10}|{x.ClinicalStatus}|{x.VerificationStatus}|{D(x.Onset)}").ToList(),
            ["Medications"] = c.Medications.Select(x => $"{x.Display}|{x.RxNorm}|{x.Status}|{x.Dosage}|{D(x.AuthoredOn)}").ToList(),
            ["Allergies"] = c.Allergies.Select(x => $"{x.Substance}|{x.Criticality}|{x.ClinicalStatus}|{string.Join(";", x.Reactions)}").ToList(),
            ["Labs"] = c.Labs.Select(Obs).ToList(),
            ["Vitals"] = c.Vitals.Select(Obs).ToList(),
            ["Procedures"] = c.Procedures.Select(x => $"{x.Display}|{x.Snomed}|{x.Status}|{D(x.Performed)}").ToList(),
            ["Reports"] = c.DiagnosticReports.Select(x => $"{x.Display}|{x.Loinc}|{x.Status}|{x.Category}|{D(x.Effective)}|{x.Conclusion}|{x.Results.Count}").ToList(),
            ["Immunizations"] = c.Immunizations.Select(x => $"{x.Vaccine}|{x.Cvx}|{x.Status}|{D(x.Occurrence)}").ToList(),
            ["CarePlans"] = c.CarePlans.Select(x => $"{x.Kind}|{x.Display}|{x.Status}|{D(x.Start)}|{string.Join(";", x.Activities)}").ToList(),
            ["Notes"] = c.Notes.Select(x => $"{x.Title}|{x.Author}|{D(x.Date)}|{x.Text}").ToList(),
        };
        foreach (var (key, entries) in c.Entries)
        {
            content[key] = entries.Select(x => $"{x.Display}|{x.Detail}|{D(x.Date)}").ToList();
        }

        return content;
    }
}

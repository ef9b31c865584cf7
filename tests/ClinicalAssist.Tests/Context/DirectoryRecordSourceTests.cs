using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>Reads real Synthea R4 transaction bundles (urn:uuid fullUrls and references) from shared/.</summary>
public sealed class DirectoryRecordSourceTests : IDisposable
{
    private static readonly string[] SampleFiles =
    [
        "Harland_DuBuque_64e50922-047c-4b7a-9a9e-75c85ff2144f.json", // largest sample, many medications
        "Alexis_Toy_68cd1181-6359-4047-a77f-a165d7912480.json",      // allergies
        "Floyd_Connelly_66843218-a9f9-4f16-8347-bdc2a0d14265.json",  // no medications
        "Eura_Treutel_8a12e2bb-ecc5-43e9-8de2-bfd019911f7f.json",
    ];

    private readonly string _folder = Directory.CreateTempSubdirectory("ca-context-").FullName;
    private readonly DirectoryRecordSource _source;

    public DirectoryRecordSourceTests()
    {
        var samples = SyntheaDirectory();
        foreach (var file in SampleFiles)
        {
            File.Copy(Path.Combine(samples, file), Path.Combine(_folder, file));
        }

        File.WriteAllText(Path.Combine(_folder, "broken.json"), "{ \"resourceType\": \"Bundle\", \"entry\": [ ");
        File.WriteAllText(Path.Combine(_folder, "not-a-bundle.json"), "{ \"resourceType\": \"Patient\", \"id\": \"loose\" }");

        _source = new DirectoryRecordSource(
            Options.Create(new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = _folder }),
            new FakeTimeProvider(Now),
            NullLogger<DirectoryRecordSource>.Instance);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async System.Threading.Tasks.Task Lists_every_patient_and_skips_unreadable_files()
    {
        var all = await _source.SearchPatientsAsync(null, Ct);

        Assert.Equal(["Alexis Toy", "Eura Treutel", "Floyd Connelly", "Harland DuBuque"], all.Select(p => p.DisplayName));
        var floyd = all.Single(p => p.DisplayName == "Floyd Connelly");
        Assert.Equal("6f8ccac9-41a3-42a2-a97b-06bfc0a91c26", floyd.Id);
        Assert.Equal("66843218-a9f9-4f16-8347-bdc2a0d14265", floyd.Mrn);
        Assert.Equal("Male", floyd.Sex);
        Assert.Equal(new DateOnly(1979, 12, 19), floyd.BirthDate);
        Assert.Equal(46, floyd.AgeYears);
        Assert.Null(floyd.Location); // every Synthea encounter is finished: nobody is admitted
        Assert.Equal(64, all.Single(p => p.DisplayName == "Harland DuBuque").AgeYears); // age at death (2002)
    }

    [Fact]
    public async System.Threading.Tasks.Task Searches_by_name_words_and_by_mrn_case_insensitively()
    {
        var byName = await _source.SearchPatientsAsync("dubuque", Ct);
        var byBothNames = await _source.SearchPatientsAsync("EURA treutel", Ct);
        var byMrn = await _source.SearchPatientsAsync("68CD1181-6359", Ct);
        var none = await _source.SearchPatientsAsync("Zebedee", Ct);
        var byBirthDate = await _source.SearchPatientsAsync("1979-12-19", Ct);
        Assert.Equal("Floyd Connelly", Assert.Single(byBirthDate).DisplayName);
        Assert.Empty(await _source.SearchPatientsAsync("1979-12-20", Ct));

        Assert.Equal("Harland DuBuque", Assert.Single(byName).DisplayName);
        Assert.Equal("Eura Treutel", Assert.Single(byBothNames).DisplayName);
        Assert.Equal("Alexis Toy", Assert.Single(byMrn).DisplayName);
        Assert.Empty(none);
    }

    [Fact]
    public async System.Threading.Tasks.Task Record_resolves_urn_uuid_references_to_type_and_id()
    {
        var record = await _source.GetRecordAsync("6f8ccac9-41a3-42a2-a97b-06bfc0a91c26", Ct);

        Assert.NotNull(record);
        Assert.Equal("Connelly", record.Patient.Name[0].Family);
        Assert.Empty(record.Failures);
        var condition = record.Resources.OfType<Condition>().First();
        Assert.Equal("Patient/6f8ccac9-41a3-42a2-a97b-06bfc0a91c26", condition.Subject.Reference);
        Assert.StartsWith("Encounter/", condition.Encounter?.Reference);
        var report = record.Resources.OfType<DiagnosticReport>().First();
        Assert.All(report.Result, r => Assert.StartsWith("Observation/", r.Reference));
        Assert.All(report.Result, r => Assert.Contains(record.Resources, x => "Observation/" + x.Id == r.Reference));
    }

    [Fact]
    public async System.Threading.Tasks.Task Unknown_patient_gives_null()
    {
        Assert.Null(await _source.GetRecordAsync("no-such-patient", Ct));
        Assert.Null(await _source.GetRecordAsync("../../etc/passwd", Ct));
    }

    [Fact]
    public async System.Threading.Tasks.Task A_synthea_patient_builds_a_full_context()
    {
        var harland = Assert.Single(await _source.SearchPatientsAsync("Harland", Ct));
        var builder = new PatientContextBuilder(_source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance);

        var context = await builder.BuildAsync(harland.Id, Ct);

        Assert.NotNull(context);
        Assert.NotEmpty(context.Conditions);
        Assert.NotEmpty(context.Labs);
        Assert.NotEmpty(context.Vitals);
        Assert.NotEmpty(context.Medications);
        Assert.NotNull(context.Encounter);
        Assert.All(context.Medications, m => Assert.NotNull(m.RxNorm));
        Assert.Contains(context.Vitals, v => v.Components.Count == 2 && v.Components[0].Loinc == "8480-6");
        Assert.True(context.Labs.Zip(context.Labs.Skip(1)).All(p => p.First.Effective >= p.Second.Effective), "labs newest first");
        Assert.Equal(SectionState.Loaded, context.Sections.Single(s => s.Section == "Conditions").State);
        Assert.Equal(SectionState.Empty, context.Sections.Single(s => s.Section == "Notes").State);
        Assert.All(context.Labs, l => Assert.True(context.Resources.ContainsKey(l.Source.Reference)));
    }

    [Fact]
    public async System.Threading.Tasks.Task Allergies_from_synthea_map_with_substance_and_status()
    {
        var alexis = Assert.Single(await _source.SearchPatientsAsync("Alexis", Ct));
        var builder = new PatientContextBuilder(_source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance);

        var context = await builder.BuildAsync(alexis.Id, Ct);

        Assert.NotNull(context);
        Assert.Equal(8, context.Allergies.Count);
        Assert.All(context.Allergies, a => Assert.False(string.IsNullOrWhiteSpace(a.Substance)));
    }
}

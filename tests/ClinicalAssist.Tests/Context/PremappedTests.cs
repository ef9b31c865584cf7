using System.Text.Json;
using ClinicalAssist.Tests.Rounds;
using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>Items mapped while the record is still loading (<see cref="PatientContextBuilder.Premapped"/>) must give
/// exactly the context mapping afterwards gives: same items, same order, same citations, same skips and log lines.</summary>
public sealed class PremappedTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static PatientContextBuilder Builder(FhirOptions? options = null, Microsoft.Extensions.Logging.ILogger<PatientContextBuilder>? logger = null) =>
        new(new PatientContextBuilderTests.InMemorySource(), new FakeTimeProvider(Now), logger ?? NullLogger<PatientContextBuilder>.Instance,
            Microsoft.Extensions.Options.Options.Create(options ?? new FhirOptions()));

    /// <summary>Everything a context holds, with the cited resources by key and by instance.</summary>
    private static string Fingerprint(PatientContext context) => JsonSerializer.Serialize(new
    {
        context.Patient, context.Encounter, context.Conditions, context.Medications, context.Allergies, context.Labs, context.Vitals,
        context.Notes, context.Procedures, context.DiagnosticReports, context.Immunizations, context.CarePlans, context.Sections,
        Cited = context.Resources.Keys.ToList(),
    });

    [Fact]
    public async System.Threading.Tasks.Task Mapping_ahead_gives_the_same_context_for_every_Synthea_patient()
    {
        var options = new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = SyntheaDirectory(), MaxItemsPerSection = 100_000, WindowDays = 0 };
        var source = new DirectoryRecordSource(Microsoft.Extensions.Options.Options.Create(options), new FakeTimeProvider(Now), NullLogger<DirectoryRecordSource>.Instance);
        var builder = Builder(options);
        var patients = await source.SearchPatientsAsync(null, Ct);
        Assert.Equal(41, patients.Count);
        var mappedAhead = 0;
        foreach (var summary in patients)
        {
            var record = (await source.GetRecordAsync(summary.Id, Ct))!;
            var expected = builder.Build(record);

            // As the Server source does it: type by type, in any order, some types not at all (the last search's).
            var premapped = new PatientContextBuilder.Premapped(summary.Id, options.MaxNoteCharacters);
            foreach (var type in record.Resources.GroupBy(r => r.TypeName).Reverse().Skip(1))
            {
                premapped.Add(type);
            }

            var actual = builder.Build(record with { Premapped = premapped });

            Assert.Equal(Fingerprint(expected), Fingerprint(actual));
            Assert.Equal(expected.Resources.Values, actual.Resources.Values, ReferenceEqualityComparer.Instance);
            mappedAhead += premapped.Count;
        }

        Assert.True(mappedAhead > 5_000, $"only {mappedAhead} resources were mapped ahead");
    }

    [Fact]
    public void Build_takes_the_items_mapped_ahead_for_its_patient_and_note_length_only()
    {
        var (patient, resources) = DemoLikePatient();
        var builder = Builder();
        var premapped = new PatientContextBuilder.Premapped("p1", new FhirOptions().MaxNoteCharacters);
        premapped.Add(resources);
        var hemoglobin = resources.OfType<Observation>().Single(o => o.Id == "obs-hb");
        var before = builder.Build(new PatientRecord(patient, resources, [])).Labs.Single(l => l.Source.Id == "obs-hb").Display;
        hemoglobin.Code = Concept("http://loinc.org", "718-7", "Changed after mapping ahead");
        var record = new PatientRecord(patient, resources, []);

        // Build uses what was mapped ahead (which is why no source may change a resource once it has handed it over) …
        Assert.NotEqual("Changed after mapping ahead", before);
        Assert.Equal(before, builder.Build(record with { Premapped = premapped }).Labs.Single(l => l.Source.Id == "obs-hb").Display);
        // … but not items mapped for another patient, or for another note length: those are mapped again.
        var otherPatient = new PatientContextBuilder.Premapped("p2", new FhirOptions().MaxNoteCharacters);
        otherPatient.Add(resources);
        Assert.Equal("Changed after mapping ahead", builder.Build(record with { Premapped = otherPatient }).Labs.Single(l => l.Source.Id == "obs-hb").Display);
        var otherLength = new PatientContextBuilder.Premapped("p1", 100);
        otherLength.Add(resources);
        Assert.Equal("Changed after mapping ahead", builder.Build(record with { Premapped = otherLength }).Labs.Single(l => l.Source.Id == "obs-hb").Display);
        Assert.Equal("Changed after mapping ahead", builder.Build(record).Labs.Single(l => l.Source.Id == "obs-hb").Display);
    }

    [Fact]
    public void What_needs_other_resources_is_left_to_Build()
    {
        var (patient, resources) = DemoLikePatient();
        var premapped = new PatientContextBuilder.Premapped("p1", new FhirOptions().MaxNoteCharacters);
        var byReference = new MedicationRequest
        {
            Id = "mr-ref", Status = MedicationRequest.MedicationrequestStatus.Active, Intent = MedicationRequest.MedicationRequestIntent.Order,
            Subject = PatientRef("p1"), Medication = new ResourceReference("Medication/metformin"),
        };
        var byCode = new MedicationRequest
        {
            Id = "mr-code", Status = MedicationRequest.MedicationrequestStatus.Active, Intent = MedicationRequest.MedicationRequestIntent.Order,
            Subject = PatientRef("p1"), Medication = Concept("http://www.nlm.nih.gov/research/umls/rxnorm", "197361", "Amlodipine 5 MG Oral Tablet"),
        };
        var inBinary = new DocumentReference
        {
            Id = "doc-binary", Status = DocumentReferenceStatus.Current, Subject = PatientRef("p1"),
            Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "text/plain", Url = "Binary/note-1" } }],
        };
        var inline = new DocumentReference
        {
            Id = "doc-inline", Status = DocumentReferenceStatus.Current, Subject = PatientRef("p1"),
            Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "text/plain", Data = "Inline note"u8.ToArray() } }],
        };
        var encounter = resources.OfType<Encounter>().First();

        premapped.Add([byReference, byCode, inBinary, inline, encounter, patient]);

        Assert.False(premapped.TryGet(byReference, out _, out _));
        Assert.False(premapped.TryGet(inBinary, out _, out _));
        Assert.False(premapped.TryGet(encounter, out _, out _));
        Assert.False(premapped.TryGet(patient, out _, out _));
        Assert.True(premapped.TryGet(byCode, out var medication, out _));
        Assert.Equal("Amlodipine 5 MG Oral Tablet", Assert.IsType<ContextMedication>(medication).Display);
        Assert.True(premapped.TryGet(inline, out var note, out _));
        Assert.Equal("Inline note", Assert.IsType<ContextNote>(note).Text);
    }

    [Fact]
    public void An_unusable_resource_mapped_ahead_is_skipped_and_logged_as_it_would_be()
    {
        var (patient, resources) = DemoLikePatient();
        var deserializer = new FhirJsonDeserializer(FhirBundleReader.ReadOptions);
        // The lenient parser keeps "ninety" for a decimal; reading it throws, so the item is unusable.
        var reader = new System.Text.Json.Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes("""
            {"resourceType":"Observation","id":"obs-bad","status":"final",
             "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],
             "code":{"text":"Potassium"},"subject":{"reference":"Patient/p1"},"valueQuantity":{"value":"ninety","unit":"mmol/L"}}
            """));
        deserializer.TryDeserializeResource(ref reader, out var parsed, out _);
        var bad = Assert.IsType<Observation>(parsed);
        resources.Add(bad);
        var record = new PatientRecord(patient, resources, []);
        var premapped = new PatientContextBuilder.Premapped("p1", new FhirOptions().MaxNoteCharacters);
        premapped.Add(resources);
        Assert.True(premapped.TryGet(bad, out var item, out var failure));
        Assert.Null(item);
        Assert.NotNull(failure);

        var withoutLog = new CollectingLogger<PatientContextBuilder>();
        var withLog = new CollectingLogger<PatientContextBuilder>();
        var without = Builder(logger: withoutLog).Build(record);
        var with = Builder(logger: withLog).Build(record with { Premapped = premapped });

        Assert.Equal(Fingerprint(without), Fingerprint(with));
        Assert.DoesNotContain(with.Labs, l => l.Source.Id == "obs-bad");
        Assert.Contains("Could not map a Observation", withoutLog.Text, StringComparison.Ordinal);
        Assert.Equal(withoutLog.Text, withLog.Text);
    }

    [Fact]
    public async System.Threading.Tasks.Task The_server_source_maps_ahead_and_its_context_is_the_one_mapping_afterwards_gives()
    {
        var (patient, resources) = DemoLikePatient();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        using var host = ServerRecordSourceTests.Host(server.BaseUrl);
        var source = host.Services.GetRequiredService<IPatientRecordSource>();
        using var scope = host.Services.CreateScope();
        var builder = scope.ServiceProvider.GetRequiredService<PatientContextBuilder>();

        var record = await source.GetRecordAsync("p1", Ct);

        Assert.NotNull(record?.Premapped);
        Assert.True(record.Premapped.Count > 0);
        Assert.Equal(Fingerprint(builder.Build(record with { Premapped = null })), Fingerprint(builder.Build(record)));
    }
}

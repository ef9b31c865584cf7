using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Logging.Abstractions;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

public sealed class PatientContextBuilderTests
{
    private static PatientContextBuilder Builder(IPatientRecordSource source) =>
        new(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance);

    private static PatientContext Build(IReadOnlyList<SectionStatus>? failures = null)
    {
        var (patient, resources) = DemoLikePatient();
        return Builder(new InMemorySource()).Build(new PatientRecord(patient, resources, failures ?? []));
    }

    /// <summary>The cited resources come in section order (Patient, encounter, conditions, medications, allergies,
    /// observations, notes, procedures, reports, immunizations, care plans) and the same every time.</summary>
    [Fact]
    public async System.Threading.Tasks.Task Citations_come_in_section_order_and_the_same_every_time()
    {
        var (patient, resources) = DemoLikePatient();
        resources.Reverse();
        AssertSectionOrder(Builder(new InMemorySource()).Build(new PatientRecord(patient, resources, [])));

        var folder = SyntheaDirectory();
        var options = Microsoft.Extensions.Options.Options.Create(new FhirOptions { Source = FhirSourceKind.Directory, DirectoryPath = folder, MaxItemsPerSection = 100_000 });
        var source = new DirectoryRecordSource(options, new FakeTimeProvider(Now), NullLogger<DirectoryRecordSource>.Instance);
        var builder = new PatientContextBuilder(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance, options);
        var ct = Xunit.TestContext.Current.CancellationToken;
        var patients = await source.SearchPatientsAsync(null, ct);
        Assert.Equal(41, patients.Count);
        foreach (var summary in patients)
        {
            var first = await builder.BuildAsync(summary.Id, ct);
            var second = await builder.BuildAsync(summary.Id, ct);
            AssertSectionOrder(first!);
            Assert.Equal(first!.Resources.Keys, second!.Resources.Keys);
            Assert.Equal(first.Labs.Concat(first.Vitals).Select(o => o.Source.Reference), second.Labs.Concat(second.Vitals).Select(o => o.Source.Reference));
        }

    }

    /// <summary>A type with thousands of resources is mapped in parts on the thread pool: the result must be that of
    /// one pass — every usable item mapped once, unusable ones skipped and not cited, citations in the record's order
    /// within the section and sections in order, the same on every build.</summary>
    [Fact]
    public void A_long_stay_mapped_in_parts_gives_what_one_pass_gives()
    {
        var (patient, resources) = DemoLikePatient();
        var patientId = patient.Id!;
        var random = new Random(42);
        var added = new List<Resource>();
        for (var i = 0; i < 4_000; i++)
        {
            // Ids in no particular order, one in 40 unusable (no code), every fifth a vital sign.
            var id = $"long-{random.Next(1_000_000):D6}-{i}";
            Observation observation = i % 5 == 0
                ? BloodPressure(id, patientId, 110 + (i % 30), 70 + (i % 20), Now.AddMinutes(-i))
                : Lab(id, patientId, "718-7", "Hemoglobin", 10 + (i % 7), "g/dL", 12, 16, Now.AddMinutes(-i));
            if (i % 40 == 7)
            {
                observation.Code = null!;
            }

            added.Add(observation);
        }

        for (var i = 0; i < 1_500; i++)
        {
            added.Add(new MedicationRequest
            {
                Id = $"mr-{random.Next(1_000_000):D6}-{i}",
                Status = MedicationRequest.MedicationrequestStatus.Completed,
                Intent = MedicationRequest.MedicationRequestIntent.Order,
                Subject = PatientRef(patientId),
                Medication = new ResourceReference("Medication/metformin"),
                AuthoredOnElement = new FhirDateTime(Now.AddDays(-i)),
            });
        }

        resources.AddRange(added.OrderBy(_ => random.Next()));
        var builder = new PatientContextBuilder(new InMemorySource(), new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance,
            Microsoft.Extensions.Options.Options.Create(new FhirOptions { MaxItemsPerSection = 100_000, WindowDays = 0 }));
        var record = new PatientRecord(patient, resources, []);

        var context = builder.Build(record);

        var usable = resources.OfType<Observation>().Where(o => o.Code is not null && o.Id!.StartsWith("long-", StringComparison.Ordinal)).Select(o => "Observation/" + o.Id).ToList();
        var citedObservations = context.Resources.Keys.Where(k => k.StartsWith("Observation/long-", StringComparison.Ordinal)).ToList();
        Assert.Equal(3_900, usable.Count);
        Assert.Equal(usable, citedObservations); // each once, in the record's order
        Assert.Equal(usable.Order(StringComparer.Ordinal), context.Labs.Concat(context.Vitals).Select(o => o.Source.Reference).Where(r => r.StartsWith("Observation/long-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.Equal(resources.OfType<MedicationRequest>().Where(m => m.Id!.StartsWith("mr-", StringComparison.Ordinal)).Select(m => "MedicationRequest/" + m.Id),
            context.Resources.Keys.Where(k => k.StartsWith("MedicationRequest/mr-", StringComparison.Ordinal)));
        Assert.Equal(1_500, context.Medications.Count(m => m.Source.Reference.StartsWith("MedicationRequest/mr-", StringComparison.Ordinal)));
        Assert.All(context.Medications.Where(m => m.Source.Reference.StartsWith("MedicationRequest/mr-", StringComparison.Ordinal)), m => Assert.Equal("Metformin 500 MG Oral Tablet", m.Display));
        AssertSectionOrder(context);
        Assert.Equal(context.Resources.Keys, builder.Build(record).Resources.Keys);
        Assert.Equal(context.Labs.Select(l => l.Source.Reference), builder.Build(record).Labs.Select(l => l.Source.Reference));
    }

    private static void AssertSectionOrder(PatientContext context)
    {
        {
            var ranks = context.Resources.Keys.Select(key => key[..key.IndexOf('/', StringComparison.Ordinal)] switch
            {
                "Patient" => 0,
                "Encounter" when key == context.Encounter?.Source.Reference => 1,
                "Encounter" => 11, // the encounter history, after every typed section
                "Condition" => 2,
                "MedicationRequest" or "MedicationStatement" or "Medication" => 3,
                "AllergyIntolerance" => 4,
                "Observation" => 5,
                "DocumentReference" or "Binary" => 6,
                "Procedure" => 7,
                "DiagnosticReport" => 8,
                "Immunization" => 9,
                "CarePlan" or "Goal" => 10,
                var other => throw new Xunit.Sdk.XunitException("unexpected citation " + other),
            }).ToList();
            Assert.True(ranks.Count > 1);
            Assert.Equal(ranks.Order(), ranks);
        }
    }

    [Fact]
    public void Patient_summary_has_name_age_sex_mrn_and_admission()
    {
        var context = Build();

        Assert.Equal("Ada M. Lovelace", context.Patient.DisplayName);
        Assert.Equal(75, context.Patient.AgeYears); // 76 tomorrow
        Assert.Equal("Female", context.Patient.Sex);
        Assert.Equal("MRN-0042", context.Patient.Mrn);
        Assert.Equal("Ward 7B, Bed 12", context.Patient.Location);
        Assert.Equal("Community-acquired pneumonia", context.Patient.AdmissionReason);
        Assert.Equal(Now.AddDays(-2), context.Patient.AdmittedAt);
        Assert.Equal(Now, context.AssembledAt);
    }

    [Fact]
    public void Current_encounter_is_the_in_progress_one()
    {
        var context = Build();

        Assert.NotNull(context.Encounter);
        Assert.Equal("Encounter/enc-now", context.Encounter.Source.Reference);
        Assert.Equal("in-progress", context.Encounter.Status);
        Assert.Equal("inpatient", context.Encounter.Class);
        Assert.Equal("Ward 7B, Bed 12", context.Encounter.Location);
    }

    [Fact]
    public void Without_an_ongoing_encounter_the_latest_is_used_and_the_patient_is_not_admitted()
    {
        var (patient, resources) = DemoLikePatient();
        resources.RemoveAll(r => r.Id == "enc-now");

        var context = Builder(new InMemorySource()).Build(new PatientRecord(patient, resources, []));

        Assert.Equal("Encounter/enc-old", context.Encounter?.Source.Reference);
        Assert.Null(context.Patient.Location);
        Assert.Null(context.Patient.AdmittedAt);
    }

    [Fact]
    public void Conditions_are_active_first_then_newest_with_codes_and_malformed_skipped()
    {
        var context = Build();

        Assert.Equal(["cond-pneumonia", "cond-ckd", "cond-old"], context.Conditions.Select(c => c.Source.Id));
        var ckd = context.Conditions[1];
        Assert.Equal("Chronic kidney disease stage 3", ckd.Display);
        Assert.Equal("433144002", ckd.Snomed);
        Assert.Equal("N18.30", ckd.Icd10);
        Assert.Equal("active", ckd.ClinicalStatus);
        Assert.Equal("confirmed", ckd.VerificationStatus);
        Assert.Equal("provisional", context.Conditions[0].VerificationStatus);
        Assert.DoesNotContain("Condition/cond-nocode", context.Resources.Keys);
    }

    [Fact]
    public void Labs_carry_range_text_and_given_or_derived_interpretation_newest_first()
    {
        var context = Build();

        Assert.Equal(["obs-hb", "obs-k", "obs-na", "obs-crp-old"], context.Labs.Select(l => l.Source.Id));

        var potassium = context.Labs.Single(l => l.Source.Id == "obs-k");
        Assert.Equal("3.5–5.1 mmol/L", potassium.ReferenceRange);
        Assert.Equal("H", potassium.Interpretation); // derived: 6.1 > 5.1
        Assert.True(potassium.IsAbnormal);
        Assert.False(potassium.IsCritical);
        Assert.Equal("6.1 mmol/L", potassium.FormattedValue);
        Assert.Equal("2823-3", potassium.Loinc);

        var sodium = context.Labs.Single(l => l.Source.Id == "obs-na");
        Assert.Equal("N", sodium.Interpretation);
        Assert.False(sodium.IsAbnormal);

        var hemoglobin = context.Labs.Single(l => l.Source.Id == "obs-hb");
        Assert.Equal("LL", hemoglobin.Interpretation); // given, kept
        Assert.True(hemoglobin.IsCritical);

        Assert.Equal("≤ 5 mg/L", context.Labs.Single(l => l.Source.Id == "obs-crp-old").ReferenceRange);
        Assert.DoesNotContain(context.Labs, l => l.Source.Id is "obs-nocode" or "obs-other-patient");
    }

    [Fact]
    public void Blood_pressure_has_systolic_then_diastolic_components()
    {
        var context = Build();

        var bp = Assert.Single(context.Vitals);
        Assert.Equal("vital-signs", bp.Category);
        Assert.Equal(["8480-6", "8462-4"], bp.Components.Select(c => c.Loinc));
        Assert.Equal(150m, bp.Components[0].Value);
        Assert.Equal("mm[Hg]", bp.Unit);
        Assert.Equal("150/95 mm[Hg]", bp.FormattedValue);
        Assert.Equal(new ResourceRef("Observation", "obs-bp", "2"), bp.Source);
    }

    [Fact]
    public void Medications_come_from_requests_statements_contained_and_referenced_medications()
    {
        var context = Build();

        var amoxicillin = context.Medications.Single(m => m.Source.Id == "med-amox");
        Assert.Equal("Amoxicillin 500 MG Oral Capsule", amoxicillin.Display);
        Assert.Equal("308182", amoxicillin.RxNorm);
        Assert.Equal("active", amoxicillin.Status);
        Assert.Equal("500 mg orally three times daily", amoxicillin.Dosage);

        var amlodipine = context.Medications.Single(m => m.Source.Id == "med-contained");
        Assert.Equal("Amlodipine 5 MG Oral Tablet", amlodipine.Display);
        Assert.Equal("197361", amlodipine.RxNorm);
        Assert.Equal("stopped", amlodipine.Status);
        Assert.Equal("5 mg, every day", amlodipine.Dosage);

        var metformin = context.Medications.Single(m => m.Source.Id == "med-statement");
        Assert.Equal("Metformin 500 MG Oral Tablet", metformin.Display);
        Assert.Equal("860975", metformin.RxNorm);
        Assert.Contains("Medication/metformin", context.Resources.Keys);

        Assert.Equal("med-contained", context.Medications[^1].Source.Id); // stopped sorts after active ones
    }

    [Fact]
    public void Allergies_and_notes_are_mapped()
    {
        var context = Build();

        var allergy = Assert.Single(context.Allergies);
        Assert.Equal("Penicillin", allergy.Substance);
        Assert.Equal("high", allergy.Criticality);
        Assert.Equal("active", allergy.ClinicalStatus);
        Assert.Equal(["Rash", "Anaphylaxis"], allergy.Reactions);

        Assert.Equal(["note-2", "note-1"], context.Notes.Select(n => n.Source.Id));
        Assert.Equal("Progress note", context.Notes[0].Title);
        Assert.Equal("Febrile overnight, 38.6 °C.", context.Notes[0].Text);
        Assert.Equal("Admission note", context.Notes[1].Title);
        Assert.Equal("Dr. Ward", context.Notes[1].Author);
    }

    [Fact]
    public void Sections_report_counts_and_resources_hold_every_mapped_item()
    {
        var context = Build();

        Assert.Equal(ContextSections.Keys, context.Sections.Select(s => s.Section));
        Assert.All(context.Sections, s => Assert.Equal(s.Section is "OtherObservations" or "Procedures" or "Reports" or "Immunizations" or "CarePlans" ? SectionState.Empty : SectionState.Loaded, s.State));
        Assert.Equal(
            [1, 3, 3, 1, 4, 1, 0, 0, 0, 0, 0, 2, 2],
            context.Sections.Select(s => s.Count));

        var cited = context.Conditions.Select(c => c.Source).Concat(context.Medications.Select(m => m.Source))
            .Concat(context.Allergies.Select(a => a.Source)).Concat(context.Labs.Select(l => l.Source))
            .Concat(context.Vitals.Select(v => v.Source)).Concat(context.Notes.Select(n => n.Source))
            .Append(context.Encounter!.Source).Concat(context.Entries.Values.SelectMany(e => e).Select(e => e.Source));
        Assert.All(cited, r => Assert.Equal(r.Type, context.Resources[r.Reference].TypeName));
        Assert.Contains("Patient/p1", context.Resources.Keys);
        Assert.DoesNotContain("Observation/obs-other-patient", context.Resources.Keys);
        Assert.Contains("Encounter/enc-old", context.Resources.Keys); // cited by the encounter history
    }

    [Fact]
    public void A_failed_section_degrades_only_itself()
    {
        var (patient, resources) = DemoLikePatient();
        resources.RemoveAll(r => r is DocumentReference);
        var failure = new SectionStatus("Notes", SectionState.Failed, 0, "Clinical notes could not be loaded: the FHIR server answered 500 (InternalServerError).");

        var context = Builder(new InMemorySource()).Build(new PatientRecord(patient, resources, [failure]));

        var notes = context.Sections.Single(s => s.Section == "Notes");
        Assert.Equal(SectionState.Failed, notes.State);
        Assert.Equal(failure.Message, notes.Message);
        Assert.Empty(context.Notes);
        Assert.All(context.Sections.Where(s => s.Section != "Notes"), s => Assert.Equal(s.Section is "OtherObservations" or "Procedures" or "Reports" or "Immunizations" or "CarePlans" ? SectionState.Empty : SectionState.Loaded, s.State));
        Assert.NotEmpty(context.Labs);
    }

    [Fact]
    public void Empty_sections_are_empty_not_failed()
    {
        var (patient, resources) = DemoLikePatient();
        resources.RemoveAll(r => r is AllergyIntolerance or Observation);

        var context = Builder(new InMemorySource()).Build(new PatientRecord(patient, resources, []));

        Assert.Equal(SectionState.Empty, context.Sections.Single(s => s.Section == "Allergies").State);
        Assert.Equal(SectionState.Empty, context.Sections.Single(s => s.Section == "Labs").State);
        Assert.Equal(SectionState.Empty, context.Sections.Single(s => s.Section == "Vitals").State);
        Assert.Equal(SectionState.Loaded, context.Sections.Single(s => s.Section == "Conditions").State);
    }

    [Fact]
    public void Entered_in_error_items_are_left_out()
    {
        var (patient, resources) = DemoLikePatient();
        ((Observation)resources.Single(r => r.Id == "obs-k")).Status = ObservationStatus.EnteredInError;
        ((MedicationRequest)resources.Single(r => r.Id == "med-amox")).Status = MedicationRequest.MedicationrequestStatus.EnteredInError;

        var context = Builder(new InMemorySource()).Build(new PatientRecord(patient, resources, []));

        Assert.DoesNotContain(context.Labs, l => l.Source.Id == "obs-k");
        Assert.DoesNotContain(context.Medications, m => m.Source.Id == "med-amox");
    }

    [Fact]
    public void Interpretation_is_not_derived_across_different_units()
    {
        var (patient, resources) = DemoLikePatient();
        var glucose = Lab("obs-glu", "p1", "2345-7", "Glucose", 200m, "mg/dL", 3.9m, 5.5m, Now);
        glucose.ReferenceRange[0].Low!.Unit = "mmol/L";
        glucose.ReferenceRange[0].High!.Unit = "mmol/L";
        resources.Add(glucose);

        var context = Builder(new InMemorySource()).Build(new PatientRecord(patient, resources, []));

        Assert.Null(context.Labs.Single(l => l.Source.Id == "obs-glu").Interpretation);
    }

    [Fact]
    public void Base64_note_data_from_json_is_decoded_as_utf8()
    {
        var (patient, resources) = DemoLikePatient();
        var text = "Synthea note: patient reports chest pain – onset 2 h.";
        var json = $$$"""
            {"resourceType":"DocumentReference","id":"note-json","status":"current","subject":{"reference":"Patient/p1"},
             "date":"2026-11-24T08:00:00Z",
             "content":[{"attachment":{"contentType":"text/plain; charset=utf-8","data":"{{{Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(text))}}}"}}]}
            """;
        resources.Add(new FhirJsonDeserializer().Deserialize<DocumentReference>(json));

        var context = Builder(new InMemorySource()).Build(new PatientRecord(patient, resources, []));

        var note = context.Notes.Single(n => n.Source.Id == "note-json");
        Assert.Equal(text, note.Text);
        Assert.Equal("Clinical note", note.Title);
    }

    [Fact]
    public async System.Threading.Tasks.Task BuildAsync_reads_the_registered_source_and_returns_null_for_unknown_patients()
    {
        var (patient, resources) = DemoLikePatient();
        var builder = Builder(new InMemorySource(new PatientRecord(patient, resources, [])));
        var ct = Xunit.TestContext.Current.CancellationToken;

        var context = await builder.BuildAsync("p1", ct);
        var missing = await builder.BuildAsync("nobody", ct);

        Assert.NotNull(context);
        Assert.Equal("p1", context.Patient.Id);
        Assert.Null(missing);
    }

    internal sealed class InMemorySource(params PatientRecord[] records) : IPatientRecordSource
    {
        public string Name => "Test";

        public Task<IReadOnlyList<PatientSummary>> SearchPatientsAsync(string? query, CancellationToken cancellationToken) =>
            System.Threading.Tasks.Task.FromResult<IReadOnlyList<PatientSummary>>([]);

        public Task<PatientRecord?> GetRecordAsync(string patientId, CancellationToken cancellationToken) =>
            System.Threading.Tasks.Task.FromResult(records.FirstOrDefault(r => r.Patient.Id == patientId));
    }
}

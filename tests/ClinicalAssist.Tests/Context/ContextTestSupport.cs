using System.Text;
using Hl7.Fhir.Model;

namespace ClinicalAssist.Tests.Context;

/// <summary>For tests over real loopback sockets only: the record's "now" is fixed (<see cref="ContextTestSupport.Now"/>,
/// so the demo records and the date windows agree) while timers run in real time, so the HTTP client's timeouts and
/// the resilience pipeline (which take their timers from the same TimeProvider) fire as in production. Everything
/// else uses <see cref="FakeTimeProvider"/>.</summary>
internal sealed class FixedDateTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

internal static class ContextTestSupport
{
    public static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 30, 0, TimeSpan.Zero);

    /// <summary>The folder of sample Synthea bundles beside the repository (shared/, never copied into it).</summary>
    public static string SyntheaDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ClinicalAssist.sln")))
        {
            dir = dir.Parent;
        }

        // shared/ sits beside the repository (a clone) or beside a folder of worktrees: look in every ancestor.
        for (var ancestor = dir?.Parent ?? throw new InvalidOperationException("ClinicalAssist.sln not found above " + AppContext.BaseDirectory);
             ancestor is not null; ancestor = ancestor.Parent)
        {
            var samples = Path.Combine(ancestor.FullName, "shared", "fhir-samples", "synthea-r4");
            if (Directory.Exists(samples))
            {
                return samples;
            }
        }

        throw new DirectoryNotFoundException("shared/fhir-samples/synthea-r4 not found beside the repository or above it");
    }

    public static CodeableConcept Concept(string system, string code, string display) => new(system, code, display, display);

    public static ResourceReference PatientRef(string id) => new($"Patient/{id}");

    public static Observation Lab(string id, string patientId, string loinc, string display, decimal value, string unit,
        decimal? low, decimal? high, DateTimeOffset effective, string? interpretation = null)
    {
        var observation = new Observation
        {
            Id = id,
            Meta = new Meta { VersionId = "1" },
            Status = ObservationStatus.Final,
            Category = [Concept("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")],
            Code = Concept("http://loinc.org", loinc, display),
            Subject = PatientRef(patientId),
            Effective = new FhirDateTime(effective),
            Value = new Quantity(value, unit) { Unit = unit },
        };
        if (low is not null || high is not null)
        {
            observation.ReferenceRange.Add(new Observation.ReferenceRangeComponent
            {
                Low = low is null ? null : new Quantity(low.Value, unit) { Unit = unit },
                High = high is null ? null : new Quantity(high.Value, unit) { Unit = unit },
            });
        }

        if (interpretation is not null)
        {
            observation.Interpretation.Add(Concept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", interpretation, interpretation));
        }

        return observation;
    }

    public static Observation BloodPressure(string id, string patientId, decimal systolic, decimal diastolic, DateTimeOffset effective) => new()
    {
        Id = id,
        Meta = new Meta { VersionId = "2" },
        Status = ObservationStatus.Final,
        Category = [Concept("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs")],
        Code = Concept("http://loinc.org", "85354-9", "Blood pressure panel"),
        Subject = PatientRef(patientId),
        Effective = new FhirDateTime(effective),
        // Diastolic first, as Synthea writes it: the builder must put systolic first.
        Component =
        [
            new Observation.ComponentComponent { Code = Concept("http://loinc.org", "8462-4", "Diastolic blood pressure"), Value = new Quantity(diastolic, "mm[Hg]") { Unit = "mm[Hg]" } },
            new Observation.ComponentComponent { Code = Concept("http://loinc.org", "8480-6", "Systolic blood pressure"), Value = new Quantity(systolic, "mm[Hg]") { Unit = "mm[Hg]" } },
        ],
    };

    /// <summary>A demo-like inpatient: the shapes the demo generator produces, plus a few malformed items.</summary>
    public static (Patient Patient, List<Resource> Resources) DemoLikePatient(string id = "p1")
    {
        var patient = new Patient
        {
            Id = id,
            Meta = new Meta { VersionId = "3" },
            Name = [new HumanName { Use = HumanName.NameUse.Official, Given = ["Ada", "M."], Family = "Lovelace" }],
            Gender = AdministrativeGender.Female,
            BirthDate = "1950-11-25", // turns 76 tomorrow
            Identifier =
            [
                new Identifier("urn:oid:1.2.3", "other-1"),
                new Identifier("urn:oid:1.2.36.1", "MRN-0042") { Type = new CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "MR") },
            ],
        };

        var admitted = Now.AddDays(-2);
        var resources = new List<Resource>
        {
            new Encounter
            {
                Id = "enc-old", Meta = new Meta { VersionId = "1" }, Status = Encounter.EncounterStatus.Finished,
                Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB"),
                Subject = PatientRef(id), Period = new Period { StartElement = new FhirDateTime(Now.AddYears(-1)) },
            },
            new Encounter
            {
                Id = "enc-now", Meta = new Meta { VersionId = "1" }, Status = Encounter.EncounterStatus.InProgress,
                Class = new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IMP"),
                Subject = PatientRef(id), Period = new Period { StartElement = new FhirDateTime(admitted) },
                ReasonCode = [new CodeableConcept { Text = "Community-acquired pneumonia" }],
                Location = [new Encounter.LocationComponent { Location = new ResourceReference { Display = "Ward 7B, Bed 12" } }],
            },
            new Condition
            {
                Id = "cond-old", ClinicalStatus = Concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved", "Resolved"),
                VerificationStatus = Concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"),
                Code = Concept("http://snomed.info/sct", "68566005", "Urinary tract infection"),
                Subject = PatientRef(id), Onset = new FhirDateTime(Now.AddYears(-3)),
            },
            new Condition
            {
                Id = "cond-ckd", ClinicalStatus = Concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"),
                VerificationStatus = Concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"),
                Code = new CodeableConcept
                {
                    Text = "Chronic kidney disease stage 3",
                    Coding = [new Coding("http://snomed.info/sct", "433144002"), new Coding("http://hl7.org/fhir/sid/icd-10-cm", "N18.30")],
                },
                Subject = PatientRef(id), Onset = new FhirDateTime(Now.AddYears(-5)),
            },
            new Condition
            {
                Id = "cond-pneumonia", ClinicalStatus = Concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"),
                VerificationStatus = Concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "provisional", "Provisional"),
                Code = Concept("http://snomed.info/sct", "385093006", "Community-acquired pneumonia"),
                Subject = PatientRef(id), Onset = new FhirDateTime(admitted),
            },
            new Condition { Id = "cond-nocode", Subject = PatientRef(id) }, // malformed: skipped
            Lab("obs-k", id, "2823-3", "Potassium", 6.1m, "mmol/L", 3.5m, 5.1m, Now.AddHours(-3)),               // derives H
            Lab("obs-na", id, "2951-2", "Sodium", 139m, "mmol/L", 135m, 145m, Now.AddHours(-3)),                 // derives N
            Lab("obs-hb", id, "718-7", "Hemoglobin", 6.2m, "g/dL", 12m, 15.5m, Now.AddHours(-1), interpretation: "LL"),
            Lab("obs-crp-old", id, "1988-5", "C reactive protein", 80m, "mg/L", null, 5m, Now.AddDays(-2)),
            BloodPressure("obs-bp", id, 150m, 95m, Now.AddHours(-2)),
            new Observation { Id = "obs-nocode", Status = ObservationStatus.Final, Subject = PatientRef(id), Value = new Quantity(1, "x") }, // malformed
            Lab("obs-other-patient", "someone-else", "2823-3", "Potassium", 3.9m, "mmol/L", 3.5m, 5.1m, Now),     // not this patient
            new MedicationRequest
            {
                Id = "med-amox", Status = MedicationRequest.MedicationrequestStatus.Active, Intent = MedicationRequest.MedicationRequestIntent.Order,
                Medication = Concept("http://www.nlm.nih.gov/research/umls/rxnorm", "308182", "Amoxicillin 500 MG Oral Capsule"),
                Subject = PatientRef(id), AuthoredOnElement = new FhirDateTime(admitted),
                DosageInstruction = [new Dosage { Text = "500 mg orally three times daily" }],
            },
            new MedicationRequest
            {
                Id = "med-contained", Status = MedicationRequest.MedicationrequestStatus.Stopped, Intent = MedicationRequest.MedicationRequestIntent.Order,
                Contained = [new Medication { Id = "m1", Code = Concept("http://www.nlm.nih.gov/research/umls/rxnorm", "197361", "Amlodipine 5 MG Oral Tablet") }],
                Medication = new ResourceReference("#m1"),
                Subject = PatientRef(id), AuthoredOnElement = new FhirDateTime(Now.AddYears(-1)),
                DosageInstruction =
                [
                    new Dosage
                    {
                        DoseAndRate = [new Dosage.DoseAndRateComponent { Dose = new Quantity(5, "mg") { Unit = "mg" } }],
                        Timing = new Timing { Repeat = new Timing.RepeatComponent { Frequency = 1, Period = 1, PeriodUnit = Timing.UnitsOfTime.D } },
                    },
                ],
            },
            new Medication { Id = "metformin", Code = Concept("http://www.nlm.nih.gov/research/umls/rxnorm", "860975", "Metformin 500 MG Oral Tablet") },
            new MedicationStatement
            {
                Id = "med-statement", Status = MedicationStatement.MedicationStatusCodes.Active,
                Medication = new ResourceReference("Medication/metformin"), Subject = PatientRef(id),
                Effective = new FhirDateTime(Now.AddMonths(-6)),
            },
            new AllergyIntolerance
            {
                Id = "allergy-pen", Patient = PatientRef(id), Criticality = AllergyIntolerance.AllergyIntoleranceCriticality.High,
                ClinicalStatus = Concept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"),
                Code = Concept("http://snomed.info/sct", "764146007", "Penicillin"),
                Reaction =
                [
                    new AllergyIntolerance.ReactionComponent { Manifestation = [Concept("http://snomed.info/sct", "271807003", "Rash"), Concept("http://snomed.info/sct", "39579001", "Anaphylaxis")] },
                ],
            },
            new DocumentReference
            {
                Id = "note-1", Status = DocumentReferenceStatus.Current, Subject = PatientRef(id),
                Date = Now.AddHours(-4), Description = "Admission note",
                Author = [new ResourceReference { Display = "Dr. Ward" }],
                Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "text/plain", Data = Encoding.UTF8.GetBytes("Pt admitted with cough and fever. CRP 80.") } }],
            },
            new DocumentReference
            {
                Id = "note-2", Status = DocumentReferenceStatus.Current, Subject = PatientRef(id), Date = Now.AddHours(-1),
                Type = new CodeableConcept { Text = "Progress note" },
                Content = [new DocumentReference.ContentComponent { Attachment = new Attachment { ContentType = "text/plain; charset=utf-8", Data = Encoding.UTF8.GetBytes("Febrile overnight, 38.6 °C.") } }],
            },
        };
        return (patient, resources);
    }
}

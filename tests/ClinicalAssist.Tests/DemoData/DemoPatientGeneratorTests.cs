using ValidationException = System.ComponentModel.DataAnnotations.ValidationException;
using System.Globalization;
using System.Text;
using ClinicalAssist.Web.Features.DemoData;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace ClinicalAssist.Tests.DemoData;

public sealed class DemoPatientGeneratorTests
{
    private const string Snomed = "http://snomed.info/sct";
    private const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
    private const string Loinc = "http://loinc.org";
    private const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";

    private static readonly DateTimeOffset Anchor = new(2026, 11, 24, 7, 0, 0, TimeSpan.Zero);
    private static readonly DemoGeneratorOptions DefaultOptions = new() { Anchor = Anchor };

    // Generated once for the read-only assertions below; generation is deterministic, so sharing is safe.
    private static readonly Lazy<IReadOnlyList<Bundle>> Ward = new(() => DemoPatientGenerator.Generate(DefaultOptions));

    private static IEnumerable<T> All<T>(Bundle b) where T : Resource => b.Entry.Select(e => e.Resource).OfType<T>();

    private static string ToJson(IEnumerable<Bundle> bundles) => string.Join("\n", bundles.Select(b => b.ToJson()));

    private static string NoteText(DocumentReference d) => Encoding.UTF8.GetString(d.Content[0].Attachment?.Data ?? []);

    private static string? Code(CodeableConcept? concept) => concept?.Coding.FirstOrDefault()?.Code;

    private static string Ref(ResourceReference? reference) => reference?.Reference ?? "(missing reference)";

    private static Quantity Qty(DataType? value) => Assert.IsType<Quantity>(value);

    private static decimal Num(Quantity? quantity) => quantity?.Value ?? throw new Xunit.Sdk.XunitException("quantity without a value");

    private static DateTimeOffset When(DataType? effective, TimeSpan offset) => Assert.IsType<FhirDateTime>(effective).ToDateTimeOffset(offset);

    [Fact]
    public void Same_options_produce_identical_json()
    {
        var first = ToJson(DemoPatientGenerator.Generate(DefaultOptions));
        var second = ToJson(DemoPatientGenerator.Generate(DefaultOptions with { }));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Different_seed_or_anchor_changes_the_output()
    {
        var small = DefaultOptions with { Count = 2 };
        var baseline = ToJson(DemoPatientGenerator.Generate(small));
        var otherSeed = DemoPatientGenerator.Generate(small with { Seed = 7 });
        var otherAnchor = ToJson(DemoPatientGenerator.Generate(small with { Anchor = Anchor.AddDays(1) }));

        Assert.NotEqual(baseline, ToJson(otherSeed));
        Assert.NotEqual(baseline, otherAnchor);
        var ids = Ward.Value.Select(b => All<Patient>(b).Single().Id).ToHashSet();
        Assert.DoesNotContain(otherSeed.Select(b => All<Patient>(b).Single().Id), ids.Contains);
    }

    [Fact]
    public void Default_ward_has_twelve_distinct_patients_with_every_resource_kind()
    {
        var ward = Ward.Value;

        Assert.Equal(12, ward.Count);
        Assert.True(DemoPatientGenerator.ScenarioCount >= 12);
        Assert.Equal(12, ward.Select(b => All<Patient>(b).Single().Id).Distinct().Count());
        Assert.Equal(12, ward.Select(b => All<Encounter>(b).Single().ReasonCode[0].Text).Distinct().Count());
        Assert.Equal(12, ward.Select(b => All<Encounter>(b).Single().Location[0].Location.Display).Distinct().Count());
        Assert.Equal(12, ward.Select(b => All<Patient>(b).Single().Name[0].Family).Distinct().Count());

        foreach (var bundle in ward)
        {
            Assert.Equal(Bundle.BundleType.Collection, bundle.Type);
            Assert.Single(All<Patient>(bundle));
            Assert.Single(All<Encounter>(bundle));
            Assert.InRange(All<Condition>(bundle).Count(), 3, 7);
            Assert.InRange(All<MedicationRequest>(bundle).Count(), 3, 7);
            Assert.InRange(All<AllergyIntolerance>(bundle).Count(), 0, 2);
            Assert.Contains(All<Observation>(bundle), o => o.Category[0].Coding[0].Code == "laboratory");
            Assert.Contains(All<Observation>(bundle), o => o.Category[0].Coding[0].Code == "vital-signs");
            Assert.True(All<DocumentReference>(bundle).Count() >= 2, "admission note plus at least one ward round note");
        }

        Assert.Contains(ward, b => !All<AllergyIntolerance>(b).Any());
        Assert.Contains(ward, b => All<AllergyIntolerance>(b).Any());
    }

    [Fact]
    public void Every_resource_has_id_meta_and_resolvable_references()
    {
        foreach (var bundle in Ward.Value)
        {
            Assert.False(string.IsNullOrEmpty(bundle.Id));
            var keys = bundle.Entry.Select(e => $"{e.Resource!.TypeName}/{e.Resource.Id}").ToList();
            Assert.Equal(keys.Count, keys.Distinct().Count());
            Assert.Equal(bundle.Entry.Count, bundle.Entry.Select(e => e.FullUrl).Distinct().Count());

            foreach (var entry in bundle.Entry)
            {
                Assert.StartsWith("urn:uuid:", entry.FullUrl);
                Assert.True(Guid.TryParse(entry.FullUrl!["urn:uuid:".Length..], out _));
                Assert.Matches("^[A-Za-z0-9\\-.]{1,64}$", entry.Resource!.Id);
                Assert.NotNull(entry.Resource.Meta);
                Assert.Equal("1", entry.Resource.Meta.VersionId);
                Assert.NotNull(entry.Resource.Meta.LastUpdated);
                Assert.True(entry.Resource.Meta.LastUpdated <= Anchor);
            }

            var patientRef = "Patient/" + All<Patient>(bundle).Single().Id;
            var encounterRef = "Encounter/" + All<Encounter>(bundle).Single().Id;
            var encounter = All<Encounter>(bundle).Single();
            var references = new List<string> { Ref(encounter.Subject) };
            references.AddRange(encounter.Diagnosis.Select(d => Ref(d.Condition)));
            references.AddRange(All<Condition>(bundle).SelectMany(c => new[] { Ref(c.Subject), Ref(c.Encounter) }));
            references.AddRange(All<Observation>(bundle).SelectMany(o => new[] { Ref(o.Subject), Ref(o.Encounter) }));
            references.AddRange(All<MedicationRequest>(bundle).SelectMany(m => new[] { Ref(m.Subject), Ref(m.Encounter) }));
            references.AddRange(All<AllergyIntolerance>(bundle).Select(a => Ref(a.Patient)));
            references.AddRange(All<DocumentReference>(bundle).SelectMany(d => new[] { Ref(d.Subject), Ref(d.Context?.Encounter.FirstOrDefault()) }));

            Assert.All(references, r => Assert.Contains(r, keys));
            Assert.Contains(patientRef, references);
            Assert.Contains(encounterRef, references);
        }
    }

    [Fact]
    public void Patients_have_mrn_age_and_address_and_encounters_are_current_inpatient_stays()
    {
        foreach (var bundle in Ward.Value)
        {
            var patient = All<Patient>(bundle).Single();
            var mrn = Assert.Single(patient.Identifier);
            Assert.Equal("urn:oid:2.16.840.1.113883.19.5", mrn.System);
            Assert.Equal("MR", Code(mrn.Type));
            Assert.Matches("^[0-9]{8}$", mrn.Value);
            Assert.NotNull(patient.Gender);
            Assert.False(string.IsNullOrWhiteSpace(patient.Name[0].Family));
            Assert.NotEmpty(patient.Name[0].Given);
            Assert.NotEmpty(patient.Address[0].Line);

            var born = DateOnly.ParseExact(patient.BirthDate ?? "", "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var today = DateOnly.FromDateTime(Anchor.DateTime);
            var age = today.Year - born.Year - (today < born.AddYears(today.Year - born.Year) ? 1 : 0);
            Assert.InRange(age, 25, 92);

            var encounter = All<Encounter>(bundle).Single();
            Assert.Equal(Encounter.EncounterStatus.InProgress, encounter.Status);
            Assert.Equal("IMP", encounter.Class.Code);
            Assert.Equal("http://terminology.hl7.org/CodeSystem/v3-ActCode", encounter.Class.System);
            Assert.False(string.IsNullOrWhiteSpace(encounter.ReasonCode[0].Text));
            Assert.Matches("^Ward [0-9]+B, Bed [0-9]+$", encounter.Location[0].Location.Display);
            var start = When(encounter.Period?.StartElement, TimeSpan.Zero);
            Assert.InRange(Anchor - start, TimeSpan.FromDays(1), TimeSpan.FromDays(5));
        }
    }

    [Fact]
    public void Every_condition_is_coded_in_snomed_and_icd10_with_statuses_and_category()
    {
        string[] verification = ["confirmed", "provisional", "differential"];
        foreach (var bundle in Ward.Value)
        {
            var conditions = All<Condition>(bundle).ToList();
            Assert.Single(conditions, c => "Condition/" + c.Id == Ref(All<Encounter>(bundle).Single().Diagnosis[0].Condition));
            Assert.InRange(conditions.Count(c => c.Category[0].Coding[0].Code == "problem-list-item"), 2, 4);

            foreach (var condition in conditions)
            {
                Assert.NotNull(condition.Code);
                var snomed = Assert.Single(condition.Code.Coding, c => c.System == Snomed);
                var icd = Assert.Single(condition.Code.Coding, c => c.System == Icd10Cm);
                Assert.Matches("^[0-9]{6,18}$", snomed.Code);
                Assert.Matches("^[A-Z][0-9][0-9A-Z](\\.[0-9A-Z]{1,4})?$", icd.Code);
                Assert.Contains(Code(condition.ClinicalStatus), new[] { "active", "resolved" });
                Assert.Contains(Code(condition.VerificationStatus), verification);
                Assert.Contains(condition.Category[0].Coding[0].Code, new[] { "encounter-diagnosis", "problem-list-item" });
                Assert.IsType<FhirDateTime>(condition.Onset);
                Assert.Equal(Code(condition.ClinicalStatus) == "resolved", condition.Abatement is not null);
            }
        }
    }

    [Fact]
    public void Every_lab_has_loinc_ucum_range_and_an_interpretation_that_matches_its_value()
    {
        var checkedCount = 0;
        foreach (var bundle in Ward.Value)
        {
            foreach (var lab in All<Observation>(bundle).Where(o => o.Category[0].Coding[0].Code == "laboratory"))
            {
                Assert.Equal(ObservationStatus.Final, lab.Status);
                Assert.Matches("^[0-9]{1,6}-[0-9]$", Assert.Single(lab.Code.Coding, c => c.System == Loinc).Code);
                var value = Assert.IsType<Quantity>(lab.Value);
                Assert.Equal("http://unitsofmeasure.org", value.System);
                Assert.False(string.IsNullOrEmpty(value.Code));
                Assert.Equal(value.Code, value.Unit);
                var range = Assert.Single(lab.ReferenceRange);
                Assert.Equal(value.Code, range.Low?.Code);
                Assert.Equal(value.Code, range.High?.Code);
                var flag = Assert.Single(Assert.Single(lab.Interpretation).Coding).Code ?? "";
                AssertFlagMatches(flag, Num(value), Num(range.Low), Num(range.High));
                Assert.True(lab.Issued >= When(lab.Effective, TimeSpan.Zero));
                checkedCount++;
            }
        }

        Assert.True(checkedCount > 12 * 9, $"expected several days of panels, found {checkedCount} labs");
    }

    [Fact]
    public void Vitals_are_coded_and_blood_pressure_has_systolic_and_diastolic_components()
    {
        foreach (var bundle in Ward.Value)
        {
            var vitals = All<Observation>(bundle).Where(o => o.Category[0].Coding[0].Code == "vital-signs").ToList();
            var byCode = vitals.GroupBy(v => Code(v.Code) ?? "").ToDictionary(g => g.Key, g => g.ToList());
            Assert.Equal(["59408-5", "8310-5", "85354-9", "8867-4", "9279-1"], byCode.Keys.Order(StringComparer.Ordinal));
            Assert.True(byCode["8867-4"].Count >= 5, "several sets of vitals per stay");
            Assert.All(byCode["59408-5"], o => Assert.Contains(o.Code.Coding, c => c.Code == "2708-6"));
            Assert.All(byCode["8310-5"], o => Assert.Equal("Cel", Qty(o.Value).Code));

            foreach (var bp in byCode["85354-9"])
            {
                Assert.Null(bp.Value);
                Assert.Equal(2, bp.Component.Count);
                Assert.Equal("8480-6", bp.Component[0].Code.Coding[0].Code);
                Assert.Equal("8462-4", bp.Component[1].Code.Coding[0].Code);
                Assert.All(bp.Component, c => Assert.Equal("mm[Hg]", Qty(c.Value).Code));
                Assert.True(Num(Qty(bp.Component[0].Value)) > Num(Qty(bp.Component[1].Value)));
                foreach (var component in bp.Component)
                {
                    AssertOptionalFlag(component.Interpretation, Qty(component.Value), component.ReferenceRange.Single());
                }
            }

            foreach (var single in vitals.Where(v => v.Code.Coding[0].Code != "85354-9"))
            {
                AssertOptionalFlag(single.Interpretation, Qty(single.Value), single.ReferenceRange.Single());
            }
        }
    }

    [Fact]
    public void Lab_trends_tell_the_story()
    {
        var ward = Ward.Value;

        var potassium = Series(Scenario(ward, "Severe hyperkalaemia"), "2823-3");
        Assert.InRange(potassium[0], 6.5m, 7.1m);
        Assert.InRange(potassium[^1], 4.8m, 5.6m);

        var lactate = Series(Scenario(ward, "Sepsis secondary to community-acquired pneumonia"), "2524-7");
        Assert.True(lactate[0] > 4.0m && lactate[^1] < 2.2m, string.Join(", ", lactate));

        var dka = Scenario(ward, "Diabetic ketoacidosis");
        Assert.True(Series(dka, "1963-8")[0] < 12 && Series(dka, "1963-8")[^1] > 18);
        Assert.True(Series(dka, "2345-7")[0] > 400 && Series(dka, "2345-7")[^1] < 250);

        var hb = Series(Scenario(ward, "Upper gastrointestinal haemorrhage from duodenal ulcer"), "718-7");
        Assert.True(hb.Min() < hb[0] - 1, string.Join(", ", hb));

        var creatinine = Series(Scenario(ward, "Acute kidney injury on chronic kidney disease stage 3"), "2160-0");
        Assert.True(creatinine.Max() > creatinine[0] && creatinine[^1] < creatinine.Max(), string.Join(", ", creatinine));

        Assert.Single(Series(Scenario(ward, "Acute pulmonary embolism"), "48065-7"), d => d > 500);
        Assert.Single(Series(Scenario(ward, "Acute on chronic heart failure with reduced ejection fraction"), "33762-6"), b => b > 125);
    }

    [Fact]
    public void Medications_are_rxnorm_coded_orders_with_dosage_and_some_are_no_longer_active()
    {
        var statuses = new HashSet<MedicationRequest.MedicationrequestStatus?>();
        foreach (var bundle in Ward.Value)
        {
            foreach (var med in All<MedicationRequest>(bundle))
            {
                Assert.Equal(MedicationRequest.MedicationRequestIntent.Order, med.Intent);
                var concept = Assert.IsType<CodeableConcept>(med.Medication);
                Assert.Matches("^[0-9]+$", Assert.Single(concept.Coding, c => c.System == RxNorm).Code);
                Assert.False(string.IsNullOrWhiteSpace(med.DosageInstruction[0].Text));
                Assert.NotNull(med.AuthoredOnElement);
                if (med.Status != MedicationRequest.MedicationrequestStatus.Active)
                {
                    Assert.False(string.IsNullOrWhiteSpace(med.StatusReason?.Text));
                }

                statuses.Add(med.Status);
            }
        }

        Assert.Contains(MedicationRequest.MedicationrequestStatus.Active, statuses);
        Assert.Contains(MedicationRequest.MedicationrequestStatus.Stopped, statuses);
        Assert.Contains(MedicationRequest.MedicationrequestStatus.Completed, statuses);
    }

    [Fact]
    public void Allergies_have_status_criticality_and_manifestation()
    {
        var allergies = Ward.Value.SelectMany(All<AllergyIntolerance>).ToList();
        Assert.Contains(allergies, a => a.Criticality == AllergyIntolerance.AllergyIntoleranceCriticality.High
                                        && a.Reaction[0].Manifestation[0].Coding[0].Code == "39579001");
        Assert.All(allergies, a =>
        {
            Assert.Equal("active", Code(a.ClinicalStatus));
            Assert.Equal("confirmed", Code(a.VerificationStatus));
            Assert.NotNull(a.Criticality);
            Assert.False(string.IsNullOrWhiteSpace(a.Reaction[0].Manifestation[0].Coding[0].Display));
        });
    }

    [Fact]
    public void Notes_are_plain_text_progress_notes_in_time_order_with_values_from_the_record()
    {
        foreach (var bundle in Ward.Value)
        {
            var notes = All<DocumentReference>(bundle).ToList();
            Assert.Equal("Admission note", notes[0].Description);
            Assert.All(notes, n =>
            {
                Assert.Equal(DocumentReferenceStatus.Current, n.Status);
                Assert.Equal("11506-3", Code(n.Type));
                Assert.Equal(Loinc, n.Type?.Coding[0].System);
                Assert.Equal("text/plain", n.Content[0].Attachment?.ContentType);
                Assert.False(string.IsNullOrWhiteSpace(n.Author[0].Display));
                Assert.True(n.Date <= Anchor);
                var text = NoteText(n);
                Assert.True(text.Length > 200);
                Assert.DoesNotContain("{", text);
            });
            Assert.Equal(notes.Select(n => n.Date), notes.Select(n => n.Date).Order());

            // The admission note quotes the admission heart rate actually recorded.
            var firstHr = All<Observation>(bundle).First(o => o.Code.Coding[0].Code == "8867-4");
            var bpm = Num(Qty(firstHr.Value)).ToString("F0", CultureInfo.InvariantCulture) + " bpm";
            Assert.Contains(bpm, NoteText(notes[0]));
        }
    }

    [Theory]
    [InlineData(12)]
    [InlineData(30)]
    public void Exactly_one_note_carries_the_prompt_injection_attempt(int count)
    {
        var ward = count == 12 ? Ward.Value : DemoPatientGenerator.Generate(DefaultOptions with { Count = count });

        var carriers = ward.SelectMany(All<DocumentReference>)
            .Where(n => NoteText(n).Contains("IGNORE ALL PREVIOUS INSTRUCTIONS", StringComparison.OrdinalIgnoreCase))
            .ToList();

        var note = Assert.Single(carriers);
        Assert.Contains(DemoPatientGenerator.PromptInjectionText, NoteText(note));
        Assert.Equal(count, ward.Count);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(42, 13)]
    [InlineData(2027, 23)]
    public void Other_seeds_and_anchor_times_still_produce_a_complete_ward(int seed, int anchorHour)
    {
        var anchor = new DateTimeOffset(2027, 6, 15, anchorHour, 0, 0, TimeSpan.Zero);
        var ward = DemoPatientGenerator.Generate(new DemoGeneratorOptions { Seed = seed, Anchor = anchor });

        Assert.Equal(12, ward.Count);
        Assert.All(ward, b =>
        {
            Assert.True(All<DocumentReference>(b).Count() >= 2);
            Assert.All(b.Entry, e => Assert.True(e.Resource!.Meta!.LastUpdated <= anchor));
        });
        Assert.Single(ward.SelectMany(All<DocumentReference>), n => NoteText(n).Contains(DemoPatientGenerator.PromptInjectionText));
    }

    [Fact]
    public void Bundles_round_trip_through_the_deserializer()
    {
        // Four stories cover every resource kind and shape (the others differ only in codes and values).
        var deserializer = new FhirJsonDeserializer();
        foreach (var bundle in Ward.Value.Take(4))
        {
            var json = bundle.ToJson();
            var parsed = deserializer.Deserialize<Bundle>(json);
            Assert.Equal(json, parsed.ToJson());
        }
    }

    [Fact]
    public void WriteToFolder_writes_one_parseable_bundle_per_patient()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ca-demodata-" + Guid.NewGuid().ToString("N"));
        try
        {
            var options = DefaultOptions with { Count = 3 };
            var paths = DemoPatientGenerator.WriteToFolder(folder, options);
            var expected = DemoPatientGenerator.Generate(options);

            Assert.Equal(3, paths.Count);
            Assert.Equal(3, Directory.GetFiles(folder, "*.json").Length);
            var deserializer = new FhirJsonDeserializer();
            for (var i = 0; i < paths.Count; i++)
            {
                var patientId = All<Patient>(expected[i]).Single().Id;
                Assert.Equal(patientId + ".json", Path.GetFileName(paths[i]));
                var parsed = deserializer.Deserialize<Bundle>(File.ReadAllText(paths[i]));
                Assert.Equal(expected[i].ToJson(), parsed.ToJson());
            }
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    [Fact]
    public void Times_follow_a_non_utc_anchor_and_never_pass_it()
    {
        var anchor = new DateTimeOffset(2027, 3, 2, 7, 0, 0, TimeSpan.FromHours(10));
        var ward = DemoPatientGenerator.Generate(new DemoGeneratorOptions { Anchor = anchor, Count = 2, Seed = 99 });

        foreach (var obs in ward.SelectMany(All<Observation>))
        {
            var effective = When(obs.Effective, anchor.Offset);
            Assert.True(effective <= anchor);
        }

        var morningLabs = ward.SelectMany(All<Observation>)
            .Where(o => o.Category[0].Coding[0].Code == "laboratory")
            .Select(o => When(o.Effective, anchor.Offset))
            .Where(t => t.Date == anchor.Date);
        Assert.All(morningLabs, t => Assert.Equal(new TimeSpan(5, 30, 0), t.TimeOfDay));
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ValidationException>(() => DemoPatientGenerator.Generate(DefaultOptions with { Count = 0 }));
        Assert.Throws<ValidationException>(() => DemoPatientGenerator.Generate(DefaultOptions with { Count = DemoGeneratorOptions.MaxCount + 1 }));
        Assert.Throws<ArgumentException>(() => DemoPatientGenerator.Generate(new DemoGeneratorOptions()));
        Assert.Throws<ArgumentException>(() => DemoPatientGenerator.WriteToFolder(" ", DefaultOptions));
    }

    private static Bundle Scenario(IReadOnlyList<Bundle> ward, string reason) =>
        Assert.Single(ward, b => All<Encounter>(b).Single().ReasonCode[0].Text == reason);

    private static List<decimal> Series(Bundle bundle, string loinc) =>
        All<Observation>(bundle)
            .Where(o => o.Code.Coding[0].Code == loinc)
            .OrderBy(o => When(o.Effective, TimeSpan.Zero))
            .Select(o => Num(Qty(o.Value)))
            .ToList();

    private static void AssertFlagMatches(string flag, decimal value, decimal low, decimal high)
    {
        switch (flag)
        {
            case "N": Assert.InRange(value, low, high); break;
            case "H": Assert.True(value > high, $"H but {value} <= {high}"); break;
            case "L": Assert.True(value < low, $"L but {value} >= {low}"); break;
            case "HH": Assert.True(value > high, $"HH but {value} <= {high}"); break;
            case "LL": Assert.True(value < low, $"LL but {value} >= {low}"); break;
            default: Assert.Fail($"unexpected interpretation '{flag}' for {value}"); break;
        }
    }

    private static void AssertOptionalFlag(List<CodeableConcept> interpretation, Quantity value, Observation.ReferenceRangeComponent range)
    {
        var v = Num(value);
        var outside = v < Num(range.Low) || v > Num(range.High);
        Assert.Equal(outside, interpretation.Count == 1);
        if (outside)
        {
            AssertFlagMatches(Code(interpretation[0]) ?? "", v, Num(range.Low), Num(range.High));
        }
    }
}

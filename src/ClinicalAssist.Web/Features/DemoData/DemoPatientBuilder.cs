using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.DemoData;

/// <summary>Builds one patient's Bundle from a scenario. All randomness comes from the supplied <see cref="Random"/>,
/// consumed in a fixed order, so the output depends only on the seed, the index and the anchor.</summary>
internal sealed class DemoPatientBuilder
{
    private static readonly TimeOnly MorningBloods = new(5, 30);
    private static readonly TimeOnly EveningBloods = new(17, 30);
    private static readonly TimeOnly WardRound = new(10, 30);
    private static readonly TimeOnly[] VitalRounds = [new(6, 0), new(10, 0), new(14, 0), new(18, 0), new(22, 0)];

    private readonly Scenario _scenario;
    private readonly WardPlacement _placement;
    private readonly Random _rng;
    private readonly DateTimeOffset _anchor;
    private readonly bool _carriesInjection;
    private readonly string _patientId;
    private readonly bool _female;
    private readonly int _age;
    private readonly DateTimeOffset _admittedAt;
    private readonly string _registrar;
    private readonly string _consultant;
    private readonly List<LabResult> _labs = [];
    private readonly List<VitalSet> _vitals = [];

    private DemoPatientBuilder(int index, Scenario scenario, WardPlacement placement, Random rng, DateTimeOffset anchor, bool carriesInjection)
    {
        _scenario = scenario;
        _placement = placement;
        _rng = rng;
        _anchor = anchor;
        _carriesInjection = carriesInjection;

        _patientId = $"demo-{index + 1:D2}-{rng.Next(0x100000, 0x1000000):x6}";
        _female = scenario.Sex switch
        {
            DemoSex.Female => true,
            DemoSex.Male => false,
            _ => rng.Next(2) == 0,
        };
        _age = rng.Next(scenario.MinAge, scenario.MaxAge + 1);
        // 30 hours to just under 5 days before the anchor, on a 5-minute grid.
        _admittedAt = anchor.AddMinutes(-5 * rng.Next(30 * 12, (5 * 24 - 2) * 12));
        _registrar = DemoPeople.Registrars[rng.Next(DemoPeople.Registrars.Length)];
        _consultant = DemoPeople.Consultants[rng.Next(DemoPeople.Consultants.Length)];
    }

    public static Bundle Build(int index, Scenario scenario, WardPlacement placement, Random rng, DateTimeOffset anchor, bool carriesInjection) =>
        new DemoPatientBuilder(index, scenario, placement, rng, anchor, carriesInjection).Build();

    private string PatientRef => $"Patient/{_patientId}";
    private string EncounterRef => $"Encounter/{_patientId}-enc";

    private Bundle Build()
    {
        var patient = BuildPatient();
        var conditions = BuildConditions();
        var encounter = BuildEncounter(conditions);
        SimulateLabs();
        SimulateVitals();
        var labs = _labs.Select(BuildLab).ToList();
        var vitals = _vitals.SelectMany(BuildVitals).ToList();
        var medications = BuildMedications();
        var allergies = BuildAllergies();
        var notes = BuildNotes();

        var resources = new List<Resource> { patient, encounter };
        resources.AddRange(conditions);
        resources.AddRange(allergies);
        resources.AddRange(medications);
        resources.AddRange(labs);
        resources.AddRange(vitals);
        resources.AddRange(notes);

        return new Bundle
        {
            Id = $"{_patientId}-record",
            Meta = Meta(_anchor),
            Type = Bundle.BundleType.Collection,
            Timestamp = _anchor,
            Entry = resources.Select(r => new Bundle.EntryComponent { FullUrl = FullUrl(r), Resource = r }).ToList(),
        };
    }

    // ---------------------------------------------------------------- Patient and encounter

    private Patient BuildPatient()
    {
        var given = _female
            ? DemoPeople.FemaleGiven[_rng.Next(DemoPeople.FemaleGiven.Length)]
            : DemoPeople.MaleGiven[_rng.Next(DemoPeople.MaleGiven.Length)];
        var anchorDate = DateOnly.FromDateTime(_anchor.DateTime);
        var birthDate = anchorDate.AddYears(-_age).AddDays(-_rng.Next(1, 365));
        var mrn = _rng.Next(10_000_000, 100_000_000).ToString(CultureInfo.InvariantCulture);
        var town = DemoPeople.Towns[_rng.Next(DemoPeople.Towns.Length)];
        var street = DemoPeople.Streets[_rng.Next(DemoPeople.Streets.Length)];
        var houseNumber = _rng.Next(1, 240);
        var postal = town.PostalPrefix + _rng.Next(10, 100).ToString(CultureInfo.InvariantCulture);

        return new Patient
        {
            Id = _patientId,
            Meta = Meta(_admittedAt.AddMinutes(20)),
            Identifier =
            [
                new Identifier
                {
                    Use = Identifier.IdentifierUse.Usual,
                    Type = Concept(CodeSystems.IdentifierType, "MR", "Medical record number", "MRN"),
                    System = CodeSystems.MrnSystem,
                    Value = mrn,
                },
            ],
            Active = true,
            Name = [new HumanName { Use = HumanName.NameUse.Official, Family = _placement.FamilyName, Given = [given] }],
            Gender = _female ? AdministrativeGender.Female : AdministrativeGender.Male,
            BirthDate = birthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Address =
            [
                new Address
                {
                    Use = Address.AddressUse.Home,
                    Line = [$"{houseNumber} {street}"],
                    City = town.City,
                    State = town.State,
                    PostalCode = postal,
                    Country = "US",
                },
            ],
        };
    }

    private Encounter BuildEncounter(IReadOnlyList<Condition> conditions)
    {
        var admission = conditions[0];
        return new Encounter
        {
            Id = $"{_patientId}-enc",
            Meta = Meta(_admittedAt.AddHours(2)),
            Status = Encounter.EncounterStatus.InProgress,
            Class = new Coding(CodeSystems.ActCode, "IMP", "inpatient encounter"),
            Type = [Concept(CodeSystems.Snomed, "32485007", "Hospital admission (procedure)", "Emergency admission to general medicine")],
            Subject = new ResourceReference(PatientRef),
            Period = new Period { StartElement = new FhirDateTime(_admittedAt) },
            ReasonCode = [new CodeableConcept { Coding = [new Coding(CodeSystems.Snomed, _scenario.Conditions[0].Snomed, _scenario.Conditions[0].SnomedDisplay)], Text = _scenario.AdmissionReason }],
            Diagnosis = [new Encounter.DiagnosisComponent { Condition = new ResourceReference($"Condition/{admission.Id}"), Rank = 1 }],
            Participant =
            [
                new Encounter.ParticipantComponent
                {
                    Type = [Concept("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "ATND", "attender")],
                    Individual = new ResourceReference { Display = _consultant },
                },
            ],
            Location =
            [
                new Encounter.LocationComponent
                {
                    Location = new ResourceReference { Display = _placement.Display },
                    Status = Encounter.EncounterLocationStatus.Active,
                    Period = new Period { StartElement = new FhirDateTime(NotAfterAnchor(_admittedAt.AddHours(3))) },
                },
            ],
            ServiceProvider = new ResourceReference { Display = "Department of General Internal Medicine" },
        };
    }

    private List<Condition> BuildConditions()
    {
        var list = new List<Condition>();
        var recorded = NotAfterAnchor(_admittedAt.AddHours(1));
        for (var i = 0; i < _scenario.Conditions.Count; i++)
        {
            var spec = _scenario.Conditions[i];
            var isEncounterDiagnosis = spec.Role is ConditionRole.Admission or ConditionRole.Encounter;
            DateTimeOffset onset;
            DateTimeOffset? abatement = null;
            switch (spec.Role)
            {
                case ConditionRole.Admission:
                case ConditionRole.Encounter:
                    onset = _admittedAt.AddHours(-_rng.Next(6, 73));
                    break;
                case ConditionRole.Resolved when spec.OnsetYearsAgo == 0:
                    onset = _admittedAt.AddDays(-_rng.Next(6, 10));
                    abatement = _admittedAt.AddDays(-1);
                    break;
                default:
                    onset = _admittedAt.AddYears(-spec.OnsetYearsAgo).AddDays(-_rng.Next(0, 300));
                    if (spec.Role == ConditionRole.Resolved)
                    {
                        abatement = onset.AddDays(30);
                    }

                    break;
            }

            list.Add(new Condition
            {
                Id = $"{_patientId}-cond-{i + 1:D2}",
                Meta = Meta(recorded),
                ClinicalStatus = abatement is null ? Concept(CodeSystems.ConditionClinical, "active", "Active") : Concept(CodeSystems.ConditionClinical, "resolved", "Resolved"),
                VerificationStatus = Concept(CodeSystems.ConditionVerification, spec.Verification, VerificationDisplay(spec.Verification)),
                Category =
                [
                    isEncounterDiagnosis
                        ? Concept(CodeSystems.ConditionCategory, "encounter-diagnosis", "Encounter Diagnosis")
                        : Concept(CodeSystems.ConditionCategory, "problem-list-item", "Problem List Item"),
                ],
                Code = new CodeableConcept
                {
                    Coding = [new Coding(CodeSystems.Snomed, spec.Snomed, spec.SnomedDisplay), new Coding(CodeSystems.Icd10Cm, spec.Icd10, spec.Icd10Display)],
                    Text = spec.Text,
                },
                Subject = new ResourceReference(PatientRef),
                Encounter = new ResourceReference(EncounterRef),
                Onset = new FhirDateTime(onset),
                Abatement = abatement is { } a ? new FhirDateTime(a) : null,
                RecordedDateElement = new FhirDateTime(recorded),
                Recorder = new ResourceReference { Display = _registrar },
            });
        }

        return list;
    }

    // ---------------------------------------------------------------- Labs

    private sealed record LabResult(LabTest Test, DateTimeOffset Time, decimal Value);

    private void SimulateLabs()
    {
        var trends = new List<LabTrend>();
        foreach (var (test, typical, femaleTypical) in Labs.RoutinePanel)
        {
            if (_scenario.Labs.Any(t => t.Test == test))
            {
                continue;
            }

            // A stable personal baseline inside the normal range for tests the story does not drive.
            var (low, high) = test.RangeFor(_female);
            var baseline = (_female ? femaleTypical : typical) + (decimal)(_rng.NextDouble() - 0.5) * (high - low) * 0.2m;
            trends.Add(new LabTrend(test, LabSchedule.Daily, baseline));
        }

        trends.AddRange(_scenario.Labs);

        var admissionDraw = _admittedAt.AddMinutes(40);
        foreach (var trend in trends)
        {
            foreach (var time in DrawTimes(trend.Schedule, admissionDraw))
            {
                var value = Interpolate(trend.Points, Fraction(time));
                var (low, high) = trend.Test.RangeFor(_female);
                var spread = Math.Max((high - low) * 0.06m, Math.Abs(value) * 0.02m);
                value += (decimal)(_rng.NextDouble() * 2 - 1) * spread;
                value = Math.Max(0, Math.Round(value, trend.Test.Decimals, MidpointRounding.AwayFromZero));
                _labs.Add(new LabResult(trend.Test, time, value));
            }
        }

        // Stable sort: by draw time, panel order within a draw.
        var ordered = _labs.OrderBy(l => l.Time).ToList();
        _labs.Clear();
        _labs.AddRange(ordered);
    }

    private IEnumerable<DateTimeOffset> DrawTimes(LabSchedule schedule, DateTimeOffset admissionDraw)
    {
        yield return admissionDraw;
        if (schedule == LabSchedule.Once)
        {
            yield break;
        }

        var earliest = admissionDraw.AddHours(4);
        for (var day = LocalDate(_admittedAt); day <= LocalDate(_anchor); day = day.AddDays(1))
        {
            foreach (var slot in schedule == LabSchedule.TwiceDaily ? new[] { MorningBloods, EveningBloods } : [MorningBloods])
            {
                var time = At(day, slot);
                if (time > earliest && time <= _anchor)
                {
                    yield return time;
                }
            }
        }
    }

    private Observation BuildLab(LabResult lab, int n)
    {
        var (low, high) = lab.Test.RangeFor(_female);
        var flag = Interpretation.For(lab.Value, low, high, lab.Test.CriticalLow, lab.Test.CriticalHigh);
        var issued = NotAfterAnchor(lab.Time.AddMinutes(55));
        return new Observation
        {
            Id = $"{_patientId}-lab-{n + 1:D3}",
            Meta = Meta(issued),
            Status = ObservationStatus.Final,
            Category = [Concept(CodeSystems.ObservationCategory, "laboratory", "Laboratory")],
            Code = new CodeableConcept { Coding = [new Coding(CodeSystems.Loinc, lab.Test.Loinc, lab.Test.Display)], Text = lab.Test.Display },
            Subject = new ResourceReference(PatientRef),
            Encounter = new ResourceReference(EncounterRef),
            Effective = new FhirDateTime(lab.Time),
            Issued = issued,
            Value = Quantity(lab.Value, lab.Test.Unit),
            Interpretation = [InterpretationConcept(flag)],
            ReferenceRange = [new Observation.ReferenceRangeComponent { Low = Quantity(low, lab.Test.Unit), High = Quantity(high, lab.Test.Unit) }],
        };
    }

    // ---------------------------------------------------------------- Vitals

    private sealed record VitalSet(DateTimeOffset Time, decimal HeartRate, decimal RespiratoryRate, decimal Temperature, decimal SpO2, decimal Systolic, decimal Diastolic);

    private void SimulateVitals()
    {
        var times = new List<DateTimeOffset> { _admittedAt.AddMinutes(10) };
        for (var day = LocalDate(_admittedAt); day <= LocalDate(_anchor); day = day.AddDays(1))
        {
            foreach (var slot in VitalRounds)
            {
                var time = At(day, slot).AddMinutes(_rng.Next(0, 21));
                if (time > _admittedAt.AddHours(1) && time <= _anchor)
                {
                    times.Add(time);
                }
            }
        }

        var v = _scenario.Vitals;
        foreach (var time in times)
        {
            var f = Fraction(time);
            var systolic = Jitter(Interpolate(v.Systolic, f), 5, 0);
            var diastolic = Math.Min(Jitter(Interpolate(v.Diastolic, f), 4, 0), systolic - 20);
            _vitals.Add(new VitalSet(
                time,
                Jitter(Interpolate(v.HeartRate, f), 4, 0),
                Jitter(Interpolate(v.RespiratoryRate, f), 1, 0),
                Jitter(Interpolate(v.Temperature, f), 0.2m, 1),
                Math.Min(100, Jitter(Interpolate(v.SpO2, f), 1, 0)),
                systolic,
                diastolic));
        }
    }

    private decimal Jitter(decimal value, decimal spread, int decimals) =>
        Math.Round(value + (decimal)(_rng.NextDouble() * 2 - 1) * spread, decimals, MidpointRounding.AwayFromZero);

    private IEnumerable<Observation> BuildVitals(VitalSet set, int n)
    {
        var prefix = $"{_patientId}-vs-{n + 1:D3}";
        yield return VitalObservation($"{prefix}-hr", set.Time, Vitals.HeartRate, set.HeartRate);
        yield return VitalObservation($"{prefix}-rr", set.Time, Vitals.RespiratoryRate, set.RespiratoryRate);
        yield return VitalObservation($"{prefix}-temp", set.Time, Vitals.Temperature, set.Temperature);
        yield return VitalObservation($"{prefix}-spo2", set.Time, Vitals.SpO2, set.SpO2,
            new Coding(CodeSystems.Loinc, Vitals.SpO2AltLoinc, Vitals.SpO2AltDisplay));

        var bp = VitalBase($"{prefix}-bp", set.Time, new CodeableConcept
        {
            Coding = [new Coding(CodeSystems.Loinc, Vitals.BloodPressureLoinc, Vitals.BloodPressureDisplay)],
            Text = "Blood pressure",
        });
        bp.Component =
        [
            VitalComponent(Vitals.Systolic, set.Systolic),
            VitalComponent(Vitals.Diastolic, set.Diastolic),
        ];
        var worst = bp.Component.SelectMany(c => c.Interpretation).Select(i => i.Coding[0].Code)
            .OrderByDescending(Severity).FirstOrDefault();
        if (worst is not null)
        {
            bp.Interpretation = [InterpretationConcept(worst)];
        }

        yield return bp;
    }

    private static int Severity(string? code) => code is "HH" or "LL" ? 2 : 1;

    private Observation VitalObservation(string id, DateTimeOffset time, VitalSign sign, decimal value, Coding? extraCoding = null)
    {
        var code = new CodeableConcept { Coding = [new Coding(CodeSystems.Loinc, sign.Loinc, sign.Display)], Text = sign.Display };
        if (extraCoding is not null)
        {
            code.Coding.Add(extraCoding);
        }

        var obs = VitalBase(id, time, code);
        obs.Value = Quantity(value, sign.Unit);
        obs.ReferenceRange = [VitalRange(sign)];
        var flag = Interpretation.For(value, sign.Low, sign.High, sign.CriticalLow, sign.CriticalHigh);
        if (flag != "N")
        {
            obs.Interpretation = [InterpretationConcept(flag)];
        }

        return obs;
    }

    private Observation VitalBase(string id, DateTimeOffset time, CodeableConcept code) => new()
    {
        Id = id,
        Meta = Meta(NotAfterAnchor(time.AddMinutes(5))),
        Status = ObservationStatus.Final,
        Category = [Concept(CodeSystems.ObservationCategory, "vital-signs", "Vital Signs")],
        Code = code,
        Subject = new ResourceReference(PatientRef),
        Encounter = new ResourceReference(EncounterRef),
        Effective = new FhirDateTime(time),
        Performer = [new ResourceReference { Display = "Ward nursing team" }],
    };

    private static Observation.ComponentComponent VitalComponent(VitalSign sign, decimal value)
    {
        var component = new Observation.ComponentComponent
        {
            Code = new CodeableConcept { Coding = [new Coding(CodeSystems.Loinc, sign.Loinc, sign.Display)], Text = sign.Display },
            Value = Quantity(value, sign.Unit),
            ReferenceRange = [VitalRange(sign)],
        };
        var flag = Interpretation.For(value, sign.Low, sign.High, sign.CriticalLow, sign.CriticalHigh);
        if (flag != "N")
        {
            component.Interpretation = [InterpretationConcept(flag)];
        }

        return component;
    }

    private static Observation.ReferenceRangeComponent VitalRange(VitalSign sign) =>
        new() { Low = Quantity(sign.Low, sign.Unit), High = Quantity(sign.High, sign.Unit) };

    // ---------------------------------------------------------------- Medications and allergies

    private List<MedicationRequest> BuildMedications()
    {
        var list = new List<MedicationRequest>();
        for (var i = 0; i < _scenario.Medications.Count; i++)
        {
            var spec = _scenario.Medications[i];
            var authored = NotAfterAnchor(_admittedAt.AddMinutes(30 + 10 * i));
            list.Add(new MedicationRequest
            {
                Id = $"{_patientId}-med-{i + 1:D2}",
                Meta = Meta(spec.Status == MedStatus.Active ? authored : NotAfterAnchor(_admittedAt.AddHours(12))),
                Status = spec.Status switch
                {
                    MedStatus.Stopped => MedicationRequest.MedicationrequestStatus.Stopped,
                    MedStatus.Completed => MedicationRequest.MedicationrequestStatus.Completed,
                    _ => MedicationRequest.MedicationrequestStatus.Active,
                },
                StatusReason = spec.StatusReason is null ? null : new CodeableConcept { Text = spec.StatusReason },
                Intent = MedicationRequest.MedicationRequestIntent.Order,
                Medication = new CodeableConcept
                {
                    Coding = [new Coding(CodeSystems.RxNorm, spec.RxNorm, spec.RxNormDisplay)],
                    Text = spec.Text,
                },
                Subject = new ResourceReference(PatientRef),
                Encounter = new ResourceReference(EncounterRef),
                AuthoredOnElement = new FhirDateTime(authored),
                Requester = new ResourceReference { Display = _registrar },
                DosageInstruction = [new Dosage { Text = spec.Dosage }],
            });
        }

        return list;
    }

    private List<AllergyIntolerance> BuildAllergies()
    {
        var list = new List<AllergyIntolerance>();
        for (var i = 0; i < _scenario.Allergies.Count; i++)
        {
            var spec = _scenario.Allergies[i];
            var recorded = _admittedAt.AddYears(-_rng.Next(2, 25)).AddDays(-_rng.Next(0, 365));
            list.Add(new AllergyIntolerance
            {
                Id = $"{_patientId}-alg-{i + 1:D2}",
                Meta = Meta(_admittedAt.AddMinutes(25)),
                ClinicalStatus = Concept(CodeSystems.AllergyClinical, "active", "Active"),
                VerificationStatus = Concept(CodeSystems.AllergyVerification, "confirmed", "Confirmed"),
                Type = spec.Type == "intolerance" ? AllergyIntolerance.AllergyIntoleranceType.Intolerance : AllergyIntolerance.AllergyIntoleranceType.Allergy,
                Category =
                [
                    spec.Category switch
                    {
                        "food" => AllergyIntolerance.AllergyIntoleranceCategory.Food,
                        "environment" => AllergyIntolerance.AllergyIntoleranceCategory.Environment,
                        _ => AllergyIntolerance.AllergyIntoleranceCategory.Medication,
                    },
                ],
                Criticality = spec.Criticality == "high"
                    ? AllergyIntolerance.AllergyIntoleranceCriticality.High
                    : AllergyIntolerance.AllergyIntoleranceCriticality.Low,
                Code = new CodeableConcept { Coding = [new Coding(spec.System, spec.Code, spec.Display)], Text = spec.Text },
                Patient = new ResourceReference(PatientRef),
                RecordedDateElement = new FhirDateTime(recorded),
                Reaction =
                [
                    new AllergyIntolerance.ReactionComponent
                    {
                        Manifestation = [Concept(CodeSystems.Snomed, spec.ManifestationSnomed, spec.ManifestationDisplay)],
                        Severity = spec.Criticality == "high"
                            ? AllergyIntolerance.AllergyIntoleranceSeverity.Severe
                            : AllergyIntolerance.AllergyIntoleranceSeverity.Mild,
                    },
                ],
            });
        }

        return list;
    }

    // ---------------------------------------------------------------- Notes

    private List<DocumentReference> BuildNotes()
    {
        var notes = new List<(DateTimeOffset Time, string Title, string Author, string Template)>
        {
            (NotAfterAnchor(_admittedAt.AddMinutes(90)), "Admission note", _registrar, _scenario.AdmissionNote),
        };

        var roundTimes = new List<DateTimeOffset>();
        for (var day = LocalDate(_admittedAt); day <= LocalDate(_anchor); day = day.AddDays(1))
        {
            var time = At(day, WardRound);
            if (time > _admittedAt.AddHours(6) && time <= _anchor)
            {
                roundTimes.Add(time);
            }
        }

        for (var i = 0; i < roundTimes.Count; i++)
        {
            notes.Add((roundTimes[i], $"Ward round note - day {HospitalDay(roundTimes[i])}", _consultant, ProgressTemplate(i, roundTimes.Count)));
        }

        return notes.Select((note, i) => BuildNote(i, note.Time, note.Title, note.Author, Render(note.Template, note.Time))).ToList();
    }

    /// <summary>The first ward round gets the story's first template and the latest round its last; rounds in
    /// between that the story does not describe get a neutral continuation note.</summary>
    private string ProgressTemplate(int index, int count)
    {
        var templates = _scenario.ProgressNotes;
        if (index == 0)
        {
            return templates[0];
        }

        if (index == count - 1)
        {
            return templates[^1];
        }

        return index < templates.Count - 1 ? templates[index] : ContinuationNote;
    }

    private const string ContinuationNote = """
        WARD ROUND - Day {day}
        Reviewed on the ward round. No new concerns overnight; continuing current management.
        Obs: HR {vs:HR}, RR {vs:RR}, T {vs:Temp}, SpO2 {vs:SpO2}, BP {vs:BP}.
        Plan: continue as per previous entry; review this morning's bloods.
        """;

    private DocumentReference BuildNote(int index, DateTimeOffset time, string title, string author, string text) => new()
    {
        Id = $"{_patientId}-note-{index + 1:D2}",
        Meta = Meta(time),
        Status = DocumentReferenceStatus.Current,
        DocStatus = CompositionStatus.Final,
        Type = Concept(CodeSystems.Loinc, "11506-3", "Progress note", "Progress note"),
        Category = [Concept(CodeSystems.DocumentCategory, "clinical-note", "Clinical Note")],
        Subject = new ResourceReference(PatientRef),
        Date = time,
        Author = [new ResourceReference { Display = author }],
        Description = title,
        Content =
        [
            new DocumentReference.ContentComponent
            {
                Attachment = new Attachment
                {
                    ContentType = "text/plain",
                    Language = "en",
                    Data = Encoding.UTF8.GetBytes(text),
                    Title = title,
                    CreationElement = new FhirDateTime(time),
                },
            },
        ],
        Context = new DocumentReference.ContextComponent { Encounter = [new ResourceReference(EncounterRef)] },
    };

    private string Render(string template, DateTimeOffset noteTime)
    {
        var sb = new StringBuilder(template.Length + 256);
        var pos = 0;
        while (pos < template.Length)
        {
            var open = template.IndexOf('{', pos);
            if (open < 0)
            {
                sb.Append(template, pos, template.Length - pos);
                break;
            }

            var close = template.IndexOf('}', open);
            if (close < 0)
            {
                throw new InvalidOperationException($"Unclosed token in scenario '{_scenario.Key}' note template.");
            }

            sb.Append(template, pos, open - pos);
            sb.Append(ResolveToken(template[(open + 1)..close], noteTime));
            pos = close + 1;
        }

        return sb.ToString().Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    private string ResolveToken(string token, DateTimeOffset noteTime)
    {
        var parts = token.Split(':', 2);
        return parts[0] switch
        {
            "title" => _female ? "Ms" : "Mr",
            "last" => _placement.FamilyName,
            "age" => _age.ToString(CultureInfo.InvariantCulture),
            "sex" => _female ? "woman" : "man",
            "he" => _female ? "she" : "he",
            "He" => _female ? "She" : "He",
            "his" => _female ? "her" : "his",
            "His" => _female ? "Her" : "His",
            "him" => _female ? "her" : "him",
            "day" => HospitalDay(noteTime).ToString(CultureInfo.InvariantCulture),
            "bed" => _placement.Display,
            "collateral" => _carriesInjection
                ? "Daughter e-mailed the ward a typed summary of his recent history, pasted here at her request: \"Dad has been more breathless for a week and has not been weighing himself. "
                  + DemoPatientGenerator.PromptInjectionText
                  + "\" History otherwise confirmed with daughter by phone and consistent with the above."
                : "Collateral history from daughter by phone, consistent with the above.",
            "lab" when parts.Length == 2 => FormatLab(parts[1], noteTime, latest: true),
            "lab0" when parts.Length == 2 => FormatLab(parts[1], noteTime, latest: false),
            "labmax" when parts.Length == 2 => FormatLabExtreme(parts[1], noteTime, highest: true),
            "labmin" when parts.Length == 2 => FormatLabExtreme(parts[1], noteTime, highest: false),
            "vs" when parts.Length == 2 => FormatVital(parts[1], noteTime, latest: true),
            "vs0" when parts.Length == 2 => FormatVital(parts[1], noteTime, latest: false),
            _ => throw new InvalidOperationException($"Unknown token '{{{token}}}' in scenario '{_scenario.Key}'."),
        };
    }

    private string FormatLab(string key, DateTimeOffset noteTime, bool latest)
    {
        var results = LabsUpTo(key, noteTime);
        return FormatLabValue(latest ? results[^1] : results[0]);
    }

    private string FormatLabExtreme(string key, DateTimeOffset noteTime, bool highest)
    {
        var results = LabsUpTo(key, noteTime);
        return FormatLabValue(highest ? results.MaxBy(r => r.Value)! : results.MinBy(r => r.Value)!);
    }

    private List<LabResult> LabsUpTo(string key, DateTimeOffset noteTime)
    {
        var results = _labs.Where(l => l.Test.Key == key && l.Time <= noteTime).ToList();
        return results.Count > 0
            ? results
            : throw new InvalidOperationException($"Scenario '{_scenario.Key}' cites lab '{key}' before any result exists.");
    }

    private static string FormatLabValue(LabResult r) => Number(r.Value, r.Test.Decimals) + ProseUnit(r.Test.Unit);

    private string FormatVital(string key, DateTimeOffset noteTime, bool latest)
    {
        var sets = _vitals.Where(v => v.Time <= noteTime).ToList();
        if (sets.Count == 0)
        {
            throw new InvalidOperationException($"Scenario '{_scenario.Key}' cites vitals before any were taken.");
        }

        var s = latest ? sets[^1] : sets[0];
        return key switch
        {
            "HR" => Number(s.HeartRate, 0) + " bpm",
            "RR" => Number(s.RespiratoryRate, 0) + "/min",
            "Temp" => Number(s.Temperature, 1) + " °C",
            "SpO2" => Number(s.SpO2, 0) + "%",
            "BP" => $"{Number(s.Systolic, 0)}/{Number(s.Diastolic, 0)} mmHg",
            _ => throw new InvalidOperationException($"Unknown vital '{key}' in scenario '{_scenario.Key}'."),
        };
    }

    private static string Number(decimal value, int decimals) =>
        value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static string ProseUnit(string ucum) => ucum switch
    {
        "10*3/uL" => " x10^3/uL",
        "ng/mL{FEU}" => " ng/mL FEU",
        "{INR}" or "[pH]" => "",
        "m[IU]/L" => " mIU/L",
        "mm[Hg]" => " mmHg",
        "%" => "%",
        _ => " " + ucum,
    };

    // ---------------------------------------------------------------- Helpers

    private int HospitalDay(DateTimeOffset time) => LocalDate(time).DayNumber - LocalDate(_admittedAt).DayNumber + 1;

    private double Fraction(DateTimeOffset time)
    {
        var total = (_anchor - _admittedAt).TotalMinutes;
        return Math.Clamp((time - _admittedAt).TotalMinutes / total, 0, 1);
    }

    private static decimal Interpolate(decimal[] points, double fraction)
    {
        if (points.Length == 1)
        {
            return points[0];
        }

        var position = (decimal)fraction * (points.Length - 1);
        var i = Math.Min((int)Math.Floor(position), points.Length - 2);
        return points[i] + (points[i + 1] - points[i]) * (position - i);
    }

    private DateTimeOffset NotAfterAnchor(DateTimeOffset time) => time <= _anchor ? time : _anchor;

    private DateOnly LocalDate(DateTimeOffset time) => DateOnly.FromDateTime(time.ToOffset(_anchor.Offset).DateTime);

    private DateTimeOffset At(DateOnly day, TimeOnly time) => new(day.ToDateTime(time), _anchor.Offset);

    private static Meta Meta(DateTimeOffset lastUpdated) => new() { VersionId = "1", LastUpdated = lastUpdated };

    private static Quantity Quantity(decimal value, string unit) => new()
    {
        Value = value,
        Unit = unit,
        System = CodeSystems.Ucum,
        Code = unit,
    };

    private static CodeableConcept InterpretationConcept(string code) =>
        Concept(CodeSystems.Interpretation, code, Interpretation.Display(code));

    /// <summary>A single-coding concept. (Firely's three-argument CodeableConcept constructor sets Text, not Display.)</summary>
    private static CodeableConcept Concept(string system, string code, string display, string? text = null) =>
        new() { Coding = [new Coding(system, code, display)], Text = text };

    private static string VerificationDisplay(string code) => code switch
    {
        "confirmed" => "Confirmed",
        "provisional" => "Provisional",
        "differential" => "Differential",
        _ => throw new InvalidOperationException($"Unsupported verification status '{code}'."),
    };

    /// <summary>A stable urn:uuid for a resource: a name-based UUID (RFC 9562 version 8 layout) from its type and id,
    /// which already carry the seed.</summary>
    private static string FullUrl(Resource resource)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"clinicalassist-demo/{resource.TypeName}/{resource.Id}"));
        var bytes = hash.AsSpan(0, 16).ToArray();
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return "urn:uuid:" + new Guid(bytes, bigEndian: true).ToString("D");
    }
}

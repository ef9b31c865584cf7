using System.Globalization;
using System.Text;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Turns a patient's FHIR record (from the registered <see cref="IPatientRecordSource"/>) into the
/// <see cref="PatientContext"/> the product shows and drafts from. Items it cannot use (no code, entered in
/// error, another patient's) are skipped; a section whose source failed is marked Failed, the rest still shows.</summary>
public sealed partial class PatientContextBuilder(IPatientRecordSource source, TimeProvider time, ILogger<PatientContextBuilder> logger)
{
    /// <summary>The sections of a context, in display order.</summary>
    public static readonly IReadOnlyList<string> SectionNames = ["Encounter", "Conditions", "Medications", "Allergies", "Labs", "Vitals", "Notes"];

    private const string InterpretationSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
    private const string SystolicLoinc = "8480-6";
    private const string DiastolicLoinc = "8462-4";
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>The patient's context, or null when the source has no such patient.</summary>
    public async Task<PatientContext?> BuildAsync(string patientId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patientId);
        var record = await source.GetRecordAsync(patientId, cancellationToken).ConfigureAwait(false);
        return record is null ? null : Build(record);
    }

    /// <summary>Maps an already loaded record (pure apart from reading the clock).</summary>
    public PatientContext Build(PatientRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var now = time.GetUtcNow();
        var mapping = new Mapping(record, logger);

        var encounter = mapping.MapEncounter();
        var conditions = mapping.MapAll<Condition, ContextCondition>(mapping.MapCondition)
            .OrderBy(c => IsActive(c.ClinicalStatus) ? 0 : 1)
            .ThenByDescending(c => c.Onset ?? DateTimeOffset.MinValue)
            .ThenBy(c => c.Display, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var medications = mapping.MapAll<MedicationRequest, ContextMedication>(mapping.MapMedicationRequest)
            .Concat(mapping.MapAll<MedicationStatement, ContextMedication>(mapping.MapMedicationStatement))
            .OrderBy(m => m.Status is "active" or "on-hold" or "intended" ? 0 : 1)
            .ThenByDescending(m => m.AuthoredOn ?? DateTimeOffset.MinValue)
            .ThenBy(m => m.Display, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var allergies = mapping.MapAll<AllergyIntolerance, ContextAllergy>(mapping.MapAllergy)
            .OrderBy(a => a.ClinicalStatus == "active" ? 0 : 1)
            .ThenBy(a => a.Criticality == "high" ? 0 : 1)
            .ThenBy(a => a.Substance, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var observations = mapping.MapAll<Observation, ContextObservation>(mapping.MapObservation)
            .OrderByDescending(o => o.Effective ?? DateTimeOffset.MinValue)
            .ThenBy(o => o.Display, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var labs = observations.Where(o => o.Category == "laboratory").ToList();
        var vitals = observations.Where(o => o.Category == "vital-signs").ToList();
        var notes = mapping.MapAll<DocumentReference, ContextNote>(mapping.MapNote)
            .OrderByDescending(n => n.Date ?? DateTimeOffset.MinValue)
            .ToList();

        if (mapping.Skipped > 0)
        {
            LogSkipped(logger, mapping.Skipped);
        }

        var counts = new Dictionary<string, int>
        {
            ["Encounter"] = encounter is null ? 0 : 1,
            ["Conditions"] = conditions.Count,
            ["Medications"] = medications.Count,
            ["Allergies"] = allergies.Count,
            ["Labs"] = labs.Count,
            ["Vitals"] = vitals.Count,
            ["Notes"] = notes.Count,
        };

        return new PatientContext
        {
            Patient = PatientSummaries.Create(record.Patient, record.Resources, now),
            Encounter = encounter,
            Conditions = conditions,
            Medications = medications,
            Allergies = allergies,
            Labs = labs,
            Vitals = vitals,
            Notes = notes,
            Sections = Sections(counts, record.Failures),
            Resources = mapping.Cited,
            AssembledAt = now,
        };
    }

    private static List<SectionStatus> Sections(Dictionary<string, int> counts, IReadOnlyList<SectionStatus> failures)
    {
        var failed = failures
            .Where(f => f.State == SectionState.Failed)
            .GroupBy(f => f.Section, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.Join(" ", g.Select(f => f.Message).Where(m => !string.IsNullOrWhiteSpace(m)).Distinct()), StringComparer.Ordinal);

        var sections = SectionNames
            .Select(name => failed.TryGetValue(name, out var message)
                ? new SectionStatus(name, SectionState.Failed, counts[name], message.Length > 0 ? message : $"{name} could not be loaded.")
                : new SectionStatus(name, counts[name] > 0 ? SectionState.Loaded : SectionState.Empty, counts[name]))
            .ToList();

        // Failures of anything else the source reports (not one of the standard sections) are passed through.
        sections.AddRange(failures.Where(f => !SectionNames.Contains(f.Section)));
        return sections;
    }

    private static bool IsActive(string clinicalStatus) => clinicalStatus is "active" or "recurrence" or "relapse";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Count} FHIR resources that could not be mapped into the patient context")]
    private static partial void LogSkipped(ILogger logger, int count);

    /// <summary>The state of one mapping pass: the record, its resources by "Type/Id", and what was cited.</summary>
    private sealed partial class Mapping
    {
        private readonly PatientRecord _record;
        private readonly string _patientId;
        private readonly ILogger _logger;
        private readonly Dictionary<string, Resource> _byKey = new(StringComparer.Ordinal);
        private readonly List<Resource> _resources = [];

        public Mapping(PatientRecord record, ILogger logger)
        {
            _record = record;
            _logger = logger;
            _patientId = record.Patient.Id ?? "";
            foreach (var resource in record.Resources)
            {
                if (resource is null || string.IsNullOrEmpty(resource.Id) || resource is Patient)
                {
                    continue;
                }

                if (_byKey.TryAdd(Key(resource), resource))
                {
                    _resources.Add(resource);
                }
            }

            Cited[Key(record.Patient)] = record.Patient;
        }

        public Dictionary<string, Resource> Cited { get; } = new(StringComparer.Ordinal);

        public int Skipped { get; private set; }

        public List<TOut> MapAll<TIn, TOut>(Func<TIn, TOut?> map)
            where TIn : Resource
            where TOut : class
        {
            var result = new List<TOut>();
            foreach (var resource in _resources.OfType<TIn>())
            {
                TOut? mapped;
                try
                {
                    mapped = map(resource);
                }
                catch (Exception ex) when (ex is FormatException or OverflowException or InvalidCastException or ArgumentException or InvalidOperationException)
                {
                    LogMapFailed(_logger, resource.TypeName, ex.GetType().Name);
                    mapped = null;
                }

                if (mapped is null)
                {
                    Skipped++;
                    continue;
                }

                Cited[Key(resource)] = resource;
                result.Add(mapped);
            }

            return result;
        }

        public ContextEncounter? MapEncounter()
        {
            var encounters = _resources.OfType<Encounter>()
                .Where(e => FhirValues.IsForPatient(e.Subject, _patientId)
                            && e.Status is not (Encounter.EncounterStatus.EnteredInError or Encounter.EncounterStatus.Cancelled))
                .ToList();
            var current = PatientSummaries.OngoingEncounter(encounters)
                ?? encounters.OrderByDescending(e => FhirValues.ToDateTimeOffset(e.Period?.StartElement) ?? DateTimeOffset.MinValue).FirstOrDefault();
            if (current is null)
            {
                return null;
            }

            Cited[Key(current)] = current;
            return new ContextEncounter(
                ResourceRef.From(current),
                current.Status?.GetLiteral() ?? "unknown",
                EncounterClass(current.Class),
                PatientSummaries.ReasonOf(current, _resources),
                PatientSummaries.LocationOf(current, _resources),
                FhirValues.ToDateTimeOffset(current.Period?.StartElement));
        }

        public ContextCondition? MapCondition(Condition condition)
        {
            var verification = FhirValues.FirstCode(condition.VerificationStatus);
            if (!FhirValues.IsForPatient(condition.Subject, _patientId) || verification == "entered-in-error"
                || FhirValues.Display(condition.Code) is not { } display)
            {
                return null;
            }

            return new ContextCondition(
                ResourceRef.From(condition),
                display,
                FhirValues.Code(condition.Code, FhirValues.Snomed),
                FhirValues.Code(condition.Code, FhirValues.Icd10Cm, FhirValues.Icd10),
                FhirValues.FirstCode(condition.ClinicalStatus) ?? "unknown",
                verification ?? "unknown",
                FhirValues.ToDateTimeOffset(condition.Onset) ?? FhirValues.ToDateTimeOffset(condition.RecordedDateElement));
        }

        public ContextMedication? MapMedicationRequest(MedicationRequest request)
        {
            if (!FhirValues.IsForPatient(request.Subject, _patientId)
                || request.Status is MedicationRequest.MedicationrequestStatus.EnteredInError
                || ResolveMedication(request.Medication, request.Contained) is not { } medication)
            {
                return null;
            }

            return new ContextMedication(
                ResourceRef.From(request),
                medication.Display,
                medication.RxNorm,
                request.Status?.GetLiteral() ?? "unknown",
                DescribeDosage(request.DosageInstruction),
                FhirValues.ToDateTimeOffset(request.AuthoredOnElement));
        }

        public ContextMedication? MapMedicationStatement(MedicationStatement statement)
        {
            if (!FhirValues.IsForPatient(statement.Subject, _patientId)
                || statement.Status is MedicationStatement.MedicationStatusCodes.EnteredInError
                || ResolveMedication(statement.Medication, statement.Contained) is not { } medication)
            {
                return null;
            }

            return new ContextMedication(
                ResourceRef.From(statement),
                medication.Display,
                medication.RxNorm,
                statement.Status?.GetLiteral() ?? "unknown",
                DescribeDosage(statement.Dosage),
                FhirValues.ToDateTimeOffset(statement.Effective) ?? FhirValues.ToDateTimeOffset(statement.DateAssertedElement));
        }

        public ContextAllergy? MapAllergy(AllergyIntolerance allergy)
        {
            if (!FhirValues.IsForPatient(allergy.Patient, _patientId)
                || FhirValues.FirstCode(allergy.VerificationStatus) == "entered-in-error")
            {
                return null;
            }

            var substance = FhirValues.Display(allergy.Code)
                ?? allergy.Reaction.Select(r => FhirValues.Display(r.Substance)).FirstOrDefault(s => s is not null);
            if (substance is null)
            {
                return null;
            }

            var reactions = allergy.Reaction
                .SelectMany(r => r.Manifestation)
                .Select(FhirValues.Display)
                .OfType<string>()
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();

            return new ContextAllergy(
                ResourceRef.From(allergy),
                substance,
                allergy.Criticality?.GetLiteral(),
                FhirValues.FirstCode(allergy.ClinicalStatus) ?? "unknown",
                reactions);
        }

        public ContextObservation? MapObservation(Observation observation)
        {
            if (!FhirValues.IsForPatient(observation.Subject, _patientId)
                || observation.Status is ObservationStatus.EnteredInError or ObservationStatus.Cancelled
                || CategoryOf(observation) is not { } category
                || FhirValues.Display(observation.Code) is not { } display)
            {
                return null;
            }

            var components = observation.Component
                .Select(MapComponent)
                .OfType<(ContextObservationComponent Component, string? Interpretation)>()
                .OrderBy(c => c.Component.Loinc switch { SystolicLoinc => 0, DiastolicLoinc => 1, _ => 2 })
                .ToList();

            decimal? value = null;
            string? unit = null;
            string? valueText = null;
            switch (observation.Value)
            {
                case Quantity quantity when quantity.Value is not null:
                    value = quantity.Value;
                    unit = UnitOf(quantity);
                    break;
                case Integer integer when integer.Value is not null:
                    value = integer.Value;
                    break;
                case FhirString text when !string.IsNullOrWhiteSpace(text.Value):
                    valueText = text.Value.Trim();
                    break;
                case CodeableConcept concept:
                    valueText = FhirValues.Display(concept);
                    break;
                case FhirBoolean flag when flag.Value is not null:
                    valueText = flag.Value.Value ? "yes" : "no";
                    break;
            }

            if (value is null && valueText is null && components.Count == 0)
            {
                valueText = FhirValues.Display(observation.DataAbsentReason);
                if (valueText is null)
                {
                    return null; // nothing was measured
                }
            }

            if (components.Count > 0 && value is null && unit is null)
            {
                var units = components.Select(c => c.Component.Unit).Distinct().ToList();
                unit = units.Count == 1 ? units[0] : null;
            }

            var range = NormalRange(observation.ReferenceRange);
            var interpretation = Interpretation(observation.Interpretation)
                ?? Derive(value, unit, range)
                ?? MostSevere(components.Select(c => c.Interpretation));

            return new ContextObservation(
                ResourceRef.From(observation),
                category,
                display,
                FhirValues.Code(observation.Code, FhirValues.Loinc),
                value,
                unit,
                valueText,
                FormatRange(range),
                interpretation,
                FhirValues.ToDateTimeOffset(observation.Effective) ?? observation.Issued,
                components.Select(c => c.Component).ToList());
        }

        public ContextNote? MapNote(DocumentReference document)
        {
            if (!FhirValues.IsForPatient(document.Subject, _patientId)
                || document.Status is DocumentReferenceStatus.EnteredInError
                || document.DocStatus is CompositionStatus.EnteredInError)
            {
                return null;
            }

            var texts = new List<string>();
            string? attachmentTitle = null;
            foreach (var content in document.Content)
            {
                if (content.Attachment is not { } attachment || !IsText(attachment.ContentType))
                {
                    continue;
                }

                var bytes = attachment.Data;
                if (bytes is null && FhirValues.ReferenceKey(new ResourceReference(attachment.Url)) is { } key
                    && key.StartsWith("Binary/", StringComparison.Ordinal)
                    && _byKey.TryGetValue(key, out var found) && found is Binary binary && IsText(binary.ContentType))
                {
                    bytes = binary.Data;
                    Cited[key] = binary;
                }

                var text = bytes is { Length: > 0 } ? Utf8.GetString(bytes).Trim('\uFEFF', ' ', '\r', '\n', '\t') : null;
                if (!string.IsNullOrWhiteSpace(text))
                {
                    texts.Add(text);
                    attachmentTitle ??= attachment.Title;
                }
            }

            if (texts.Count == 0)
            {
                return null;
            }

            var title = FirstNonBlank(document.Description, attachmentTitle, FhirValues.Display(document.Type)) ?? "Clinical note";
            var author = document.Author.Select(a => a.Display).FirstOrDefault(d => !string.IsNullOrWhiteSpace(d));
            return new ContextNote(
                ResourceRef.From(document),
                title,
                author,
                document.Date ?? FhirValues.ToDateTimeOffset(document.Context?.Period?.StartElement),
                string.Join("\n\n", texts));
        }

        private (string Display, string? RxNorm)? ResolveMedication(DataType? medication, List<Resource> contained)
        {
            switch (medication)
            {
                case CodeableConcept concept when FhirValues.Display(concept) is { } display:
                    return (display, FhirValues.Code(concept, FhirValues.RxNorm));

                case ResourceReference reference:
                    Medication? resolved = null;
                    if (reference.Reference is { Length: > 1 } local && local.StartsWith('#'))
                    {
                        resolved = contained.OfType<Medication>().FirstOrDefault(m => m.Id == local[1..]);
                    }
                    else if (FhirValues.ReferenceKey(reference) is { } key && _byKey.TryGetValue(key, out var found))
                    {
                        resolved = found as Medication;
                        if (resolved is not null)
                        {
                            Cited[key] = resolved;
                        }
                    }

                    if (resolved is not null && FhirValues.Display(resolved.Code) is { } name)
                    {
                        return (name, FhirValues.Code(resolved.Code, FhirValues.RxNorm));
                    }

                    return string.IsNullOrWhiteSpace(reference.Display) ? null : (reference.Display.Trim(), null);

                default:
                    return null;
            }
        }

        private static (ContextObservationComponent Component, string? Interpretation)? MapComponent(Observation.ComponentComponent component)
        {
            if (FhirValues.Display(component.Code) is not { } display)
            {
                return null;
            }

            var quantity = component.Value as Quantity;
            var value = quantity?.Value ?? (component.Value as Integer)?.Value;
            var unit = quantity is null ? null : UnitOf(quantity);
            var interpretation = Interpretation(component.Interpretation) ?? Derive(value, unit, NormalRange(component.ReferenceRange));
            return (new ContextObservationComponent(display, FhirValues.Code(component.Code, FhirValues.Loinc), value, unit), interpretation);
        }

        private static string? CategoryOf(Observation observation)
        {
            var codes = observation.Category.SelectMany(c => c.Coding).Select(c => c.Code).ToList();
            if (codes.Contains("laboratory"))
            {
                return "laboratory";
            }

            return codes.Contains("vital-signs") || codes.Contains("vital-sign") ? "vital-signs" : null;
        }

        // Known v3-ActCode classes map to a short word (their displays read "inpatient encounter", which doubles
        // up in "… encounter"); anything else keeps its display, then its code.
        private static string EncounterClass(Coding? coding) => coding?.Code switch
        {
            "IMP" or "ACUTE" or "NONAC" => "inpatient",
            "AMB" => "ambulatory",
            "EMER" => "emergency",
            "OBSENC" => "observation",
            "PRENC" => "pre-admission",
            "SS" => "short stay",
            "HH" => "home health",
            "VR" => "virtual",
            _ when !string.IsNullOrWhiteSpace(coding?.Display) => coding.Display.Trim(),
            { Length: > 0 } code => code,
            _ => "unknown",
        };

        private static string Key(Resource resource) => $"{resource.TypeName}/{resource.Id}";

        private static string? FirstNonBlank(params ReadOnlySpan<string?> values)
        {
            foreach (var value in values)
            {
                if (!string.IsNullOrWhiteSpace(value))
                {
                    return value.Trim();
                }
            }

            return null;
        }

        private static bool IsText(string? contentType) =>
            contentType is null || contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not map a {ResourceType} into the patient context ({ExceptionType})")]
        private static partial void LogMapFailed(ILogger logger, string resourceType, string exceptionType);
    }

    // ---- Observation values: units, reference ranges and interpretation flags ----

    private static string? UnitOf(Quantity quantity) =>
        !string.IsNullOrWhiteSpace(quantity.Unit) ? quantity.Unit.Trim() : string.IsNullOrWhiteSpace(quantity.Code) ? null : quantity.Code.Trim();

    /// <summary>The range that applies to everyone (no type, or type "normal"), else the first one.</summary>
    private static Observation.ReferenceRangeComponent? NormalRange(List<Observation.ReferenceRangeComponent> ranges) =>
        ranges.FirstOrDefault(r => r.Type is null || FhirValues.FirstCode(r.Type) == "normal") ?? ranges.FirstOrDefault();

    /// <summary>"3.5–5.1 mmol/L", "≥ 60 mL/min", "≤ 5.6 %", or the range's text.</summary>
    internal static string? FormatRange(Observation.ReferenceRangeComponent? range)
    {
        if (range is null)
        {
            return null;
        }

        var low = range.Low?.Value;
        var high = range.High?.Value;
        var unit = (range.Low is null ? null : UnitOf(range.Low)) ?? (range.High is null ? null : UnitOf(range.High));
        var suffix = unit is null ? "" : " " + unit;
        return (low, high) switch
        {
            ({ } l, { } h) => $"{Number(l)}–{Number(h)}{suffix}",
            ({ } l, null) => $"≥ {Number(l)}{suffix}",
            (null, { } h) => $"≤ {Number(h)}{suffix}",
            _ => string.IsNullOrWhiteSpace(range.Text) ? null : range.Text.Trim(),
        };
    }

    /// <summary>The first interpretation code we know (v3 ObservationInterpretation), normalised to
    /// N/H/L/HH/LL/A/AA; null when there is none.</summary>
    internal static string? Interpretation(List<CodeableConcept> interpretations)
    {
        foreach (var coding in interpretations.SelectMany(i => i.Coding))
        {
            if (coding.System is not null && coding.System != InterpretationSystem
                && coding.System != "http://hl7.org/fhir/v2/0078" && coding.System != "http://terminology.hl7.org/CodeSystem/v2-0078")
            {
                continue;
            }

            var normalised = coding.Code?.ToUpperInvariant() switch
            {
                "N" or "NEG" or "ND" => "N",
                "H" or ">" => "H",
                "L" or "<" => "L",
                "HH" or "HU" or "H>" => "HH",
                "LL" or "LU" or "L<" => "LL",
                "A" or "POS" or "DET" or "ABN" => "A",
                "AA" => "AA",
                _ => null,
            };
            if (normalised is not null)
            {
                return normalised;
            }
        }

        return null;
    }

    /// <summary>H/L/N from the value against the range, when both exist in the same unit (or no unit is stated).</summary>
    internal static string? Derive(decimal? value, string? unit, Observation.ReferenceRangeComponent? range)
    {
        if (value is not { } v || range is null || (range.Low?.Value is null && range.High?.Value is null))
        {
            return null;
        }

        var rangeUnit = (range.Low is null ? null : UnitOf(range.Low)) ?? (range.High is null ? null : UnitOf(range.High));
        if (unit is not null && rangeUnit is not null && !string.Equals(unit, rangeUnit, StringComparison.OrdinalIgnoreCase))
        {
            return null; // different units: comparing the numbers would be wrong
        }

        if (range.High?.Value is { } high && v > high)
        {
            return "H";
        }

        if (range.Low?.Value is { } low && v < low)
        {
            return "L";
        }

        return "N";
    }

    private static string? MostSevere(IEnumerable<string?> flags) =>
        flags.OfType<string>().OrderByDescending(f => f switch { "HH" or "LL" or "AA" => 3, "H" or "L" or "A" => 2, _ => 1 }).FirstOrDefault();

    private static string Number(decimal value) => value.ToString("0.##########", CultureInfo.InvariantCulture);

    // ---- Dosage text ----

    /// <summary>The first dosage's text, else a plain description built from dose, route and timing.</summary>
    internal static string? DescribeDosage(List<Dosage> dosages)
    {
        var dosage = dosages.FirstOrDefault();
        if (dosage is null)
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(dosage.Text))
        {
            return dosage.Text.Trim();
        }

        var parts = new List<string>();
        switch (dosage.DoseAndRate.FirstOrDefault()?.Dose)
        {
            case Quantity dose when dose.Value is { } amount:
                parts.Add(UnitOf(dose) is { } doseUnit ? $"{Number(amount)} {doseUnit}" : Number(amount));
                break;
            case Hl7.Fhir.Model.Range range when range.Low?.Value is { } low && range.High?.Value is { } high:
                parts.Add($"{Number(low)}–{Number(high)}" + (UnitOf(range.Low) is { } rangeUnit ? " " + rangeUnit : ""));
                break;
        }

        if (FhirValues.Display(dosage.Route) is { } route)
        {
            parts.Add(route);
        }

        var timing = FhirValues.Display(dosage.Timing?.Code) ?? DescribeRepeat(dosage.Timing?.Repeat);
        if (timing is not null)
        {
            parts.Add(timing);
        }

        if (dosage.AsNeeded is FhirBoolean { Value: true } || dosage.AsNeeded is CodeableConcept)
        {
            parts.Add(FhirValues.Display(dosage.AsNeeded as CodeableConcept) is { } reason ? $"as needed for {reason}" : "as needed");
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }

    private static string? DescribeRepeat(Timing.RepeatComponent? repeat)
    {
        if (repeat?.Period is not { } period || repeat.PeriodUnit is not { } periodUnit)
        {
            return null;
        }

        var unit = periodUnit switch
        {
            Timing.UnitsOfTime.S => "second",
            Timing.UnitsOfTime.Min => "minute",
            Timing.UnitsOfTime.H => "hour",
            Timing.UnitsOfTime.D => "day",
            Timing.UnitsOfTime.Wk => "week",
            Timing.UnitsOfTime.Mo => "month",
            _ => "year",
        };
        var every = period == 1 ? unit : $"{Number(period)} {unit}s";
        return (repeat.Frequency ?? 1) switch
        {
            1 => $"every {every}",
            var frequency => $"{frequency} times every {every}",
        };
    }
}

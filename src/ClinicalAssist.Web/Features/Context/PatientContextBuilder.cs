using System.Globalization;
using System.Text;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Turns a patient's FHIR record (from the registered <see cref="IPatientRecordSource"/>) into the
/// <see cref="PatientContext"/> the product shows and drafts from. Items it cannot use (no code, entered in
/// error, another patient's) are skipped; a section whose source failed is marked Failed, the rest still shows.</summary>
public sealed partial class PatientContextBuilder
{
    private readonly IPatientRecordSource source;
    private readonly TimeProvider time;
    private readonly ILogger<PatientContextBuilder> logger;
    private readonly FhirOptions options;

    public PatientContextBuilder(IPatientRecordSource source, TimeProvider time, ILogger<PatientContextBuilder> logger)
        : this(source, time, logger, Microsoft.Extensions.Options.Options.Create(new FhirOptions()))
    {
    }

    public PatientContextBuilder(IPatientRecordSource source, TimeProvider time, ILogger<PatientContextBuilder> logger, Microsoft.Extensions.Options.IOptions<FhirOptions> options)
    {
        this.source = source ?? throw new ArgumentNullException(nameof(source));
        this.time = time ?? throw new ArgumentNullException(nameof(time));
        this.logger = logger ?? throw new ArgumentNullException(nameof(logger));
        this.options = options?.Value ?? throw new ArgumentNullException(nameof(options));
    }

    private const string InterpretationSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
    private const string SystolicLoinc = "8480-6";
    private const string DiastolicLoinc = "8462-4";
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    private static readonly List<(ContextObservationComponent Component, string? Interpretation)> NoComponents = [];

    /// <summary>The patient's context, or null when the source has no such patient.</summary>
    public Task<PatientContext?> BuildAsync(string patientId, CancellationToken cancellationToken) =>
        BuildAsync(patientId, progress: null, cancellationToken);

    /// <summary>The patient's context, reporting each section as its source finishes it.</summary>
    public async Task<PatientContext?> BuildAsync(string patientId, IProgress<SectionStatus>? progress, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(patientId);
        var record = await source.GetRecordAsync(patientId, progress, cancellationToken).ConfigureAwait(false);
        return record is null ? null : Build(record);
    }

    /// <summary>Maps an already loaded record (pure apart from reading the clock).</summary>
    public PatientContext Build(PatientRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var now = time.GetUtcNow();
        var mapping = new Mapping(record, logger, options.MaxNoteCharacters);
        var windowStart = options.WindowDays > 0 ? now.AddDays(-options.WindowDays) : (DateTimeOffset?)null;
        bool InWindow(DateTimeOffset? when) => windowStart is null || when is null || when >= windowStart;

        var encounter = mapping.MapEncounter();
        var conditions = mapping.MapAll<Condition, ContextCondition>(static (m, r) => m.MapCondition(r))
            .OrderBy(c => IsActive(c.ClinicalStatus) ? 0 : 1)
            .ThenByDescending(c => c.Onset ?? DateTimeOffset.MinValue)
            .ThenBy(c => c.Display, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var medications = mapping.MapAll<MedicationRequest, ContextMedication>(static (m, r) => m.MapMedicationRequest(r))
            .Concat(mapping.MapAll<MedicationStatement, ContextMedication>(static (m, r) => m.MapMedicationStatement(r)))
            .OrderBy(m => m.Status is "active" or "on-hold" or "intended" ? 0 : 1)
            .ThenByDescending(m => m.AuthoredOn ?? DateTimeOffset.MinValue)
            .ThenBy(m => m.Display, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var allergies = mapping.MapAll<AllergyIntolerance, ContextAllergy>(static (m, r) => m.MapAllergy(r))
            .OrderBy(a => a.ClinicalStatus == "active" ? 0 : 1)
            .ThenBy(a => a.Criticality == "high" ? 0 : 1)
            .ThenBy(a => a.Substance, StringComparer.OrdinalIgnoreCase)
            .ToList();
        // Items dated before the window and items beyond a section's cap are left out, and remembered for the coverage.
        var outside = new HashSet<string>(StringComparer.Ordinal);
        List<T> Window<T>(IEnumerable<T> items, Func<T, DateTimeOffset?> date, Func<T, ResourceRef> source)
        {
            var kept = new List<T>();
            foreach (var item in items)
            {
                if (InWindow(date(item)))
                {
                    kept.Add(item);
                }
                else
                {
                    outside.Add(source(item).Reference);
                }
            }

            return kept;
        }

        var observations = mapping.MapAll<Observation, ContextObservation>(static (m, r) => m.MapObservation(r))
            .OrderByDescending(o => o.Effective ?? DateTimeOffset.MinValue)
            .ThenBy(o => o.Display, StringComparer.OrdinalIgnoreCase)
            .ToList();
        observations = Window(observations, o => o.Effective, o => o.Source);
        var labs = observations.Where(o => o.Category == LabCategory).ToList();
        var vitals = observations.Where(o => o.Category == VitalCategory).ToList();
        var others = observations.Where(o => o.Category is not (LabCategory or VitalCategory)).ToList();
        var notes = Window(mapping.MapAll<DocumentReference, ContextNote>(static (m, r) => m.MapNote(r)), n => n.Date, n => n.Source)
            .OrderByDescending(n => n.Date ?? DateTimeOffset.MinValue)
            .ToList();
        var procedures = Window(mapping.MapAll<Procedure, ContextProcedure>(static (m, r) => m.MapProcedure(r)), p => p.Performed, p => p.Source)
            .OrderByDescending(p => p.Performed ?? DateTimeOffset.MinValue)
            .ThenBy(p => p.Display, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var reports = Window(mapping.MapAll<DiagnosticReport, ContextDiagnosticReport>(static (m, r) => m.MapReport(r)), r => r.Effective, r => r.Source)
            .OrderByDescending(r => r.Effective ?? DateTimeOffset.MinValue)
            .ThenBy(r => r.Display, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var immunizations = Window(mapping.MapAll<Immunization, ContextImmunization>(static (m, r) => m.MapImmunization(r)), i => i.Occurrence, i => i.Source)
            .OrderByDescending(i => i.Occurrence ?? DateTimeOffset.MinValue)
            .ThenBy(i => i.Vaccine, StringComparer.OrdinalIgnoreCase)
            .ToList();
        var carePlans = mapping.MapAll<CarePlan, ContextCarePlan>(static (m, r) => m.MapCarePlan(r))
            .Concat(mapping.MapAll<Goal, ContextCarePlan>(static (m, r) => m.MapGoal(r)))
            .OrderBy(c => c.Status is "active" or "in-progress" or "accepted" or "planned" or "on-hold" ? 0 : 1)
            .ThenByDescending(c => c.Start ?? DateTimeOffset.MinValue)
            .ThenBy(c => c.Display, StringComparer.OrdinalIgnoreCase)
            .ToList();

        // Sections declared with a mapper of their own (ContextSections): one generic list each, newest first.
        var entries = new Dictionary<string, IReadOnlyList<ContextEntry>>(StringComparer.Ordinal);
        foreach (var section in ContextSections.All.Where(s => s.Map is not null))
        {
            var mapped = mapping.MapEntries(section).ToList();
            entries[section.Key] = (section.Dated ? Window(mapped, e => e.Date, e => e.Source) : mapped)
                .OrderByDescending(e => e.Date ?? DateTimeOffset.MinValue)
                .ThenBy(e => e.Display, StringComparer.OrdinalIgnoreCase)
                .ThenBy(e => e.Source.Id, StringComparer.Ordinal)
                .ToList();
        }

        if (mapping.Skipped > 0)
        {
            LogSkipped(logger, mapping.Skipped);
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [ContextSections.Encounter.Key] = encounter is null ? 0 : 1,
            [ContextSections.Conditions.Key] = conditions.Count,
            [ContextSections.Medications.Key] = medications.Count,
            [ContextSections.Allergies.Key] = allergies.Count,
            [ContextSections.Labs.Key] = labs.Count,
            [ContextSections.Vitals.Key] = vitals.Count,
            [ContextSections.OtherObservations.Key] = others.Count,
            [ContextSections.Procedures.Key] = procedures.Count,
            [ContextSections.Reports.Key] = reports.Count,
            [ContextSections.Immunizations.Key] = immunizations.Count,
            [ContextSections.CarePlans.Key] = carePlans.Count,
            [ContextSections.Notes.Key] = notes.Count,
        };
        foreach (var (key, list) in entries)
        {
            counts[key] = list.Count;
        }

        // Per-section cap: the newest items are kept (lists are sorted newest/active first); the section says so.
        var capped = new Dictionary<string, int>(StringComparer.Ordinal);
        var overCap = new HashSet<string>(StringComparer.Ordinal);
        int CapOf(string key) => ContextSections.Find(key)?.Cap ?? options.MaxItemsPerSection;
        conditions = Cap(ContextSections.Conditions, conditions, c => c.Source);
        medications = Cap(ContextSections.Medications, medications, m => m.Source);
        allergies = Cap(ContextSections.Allergies, allergies, a => a.Source);
        labs = Cap(ContextSections.Labs, labs, o => o.Source);
        vitals = Cap(ContextSections.Vitals, vitals, o => o.Source);
        others = Cap(ContextSections.OtherObservations, others, o => o.Source);
        procedures = Cap(ContextSections.Procedures, procedures, p => p.Source);
        reports = Cap(ContextSections.Reports, reports, r => r.Source);
        immunizations = Cap(ContextSections.Immunizations, immunizations, i => i.Source);
        carePlans = Cap(ContextSections.CarePlans, carePlans, c => c.Source);
        notes = Cap(ContextSections.Notes, notes, n => n.Source);
        foreach (var key in entries.Keys.ToList())
        {
            entries[key] = Cap(ContextSections.Find(key)!, entries[key].ToList(), e => e.Source);
        }

        List<T> Cap<T>(ContextSection section, List<T> items, Func<T, ResourceRef> source)
        {
            var cap = CapOf(section.Key);
            if (items.Count <= cap)
            {
                return items;
            }

            capped[section.Key] = items.Count;
            foreach (var dropped in items.Skip(cap))
            {
                overCap.Add(source(dropped).Reference);
            }

            return items.Take(cap).ToList();
        }

        // What is shown: every item of every section (an item may sit in two sections: the current encounter).
        var shown = new HashSet<string>(StringComparer.Ordinal);
        void Show<T>(IEnumerable<T> items, Func<T, ResourceRef> source)
        {
            foreach (var item in items)
            {
                shown.Add(source(item).Reference);
            }
        }

        if (encounter is not null)
        {
            shown.Add(encounter.Source.Reference);
        }

        Show(conditions, c => c.Source);
        Show(medications, m => m.Source);
        Show(allergies, a => a.Source);
        Show(labs, o => o.Source);
        Show(vitals, o => o.Source);
        Show(others, o => o.Source);
        Show(procedures, p => p.Source);
        Show(reports, r => r.Source);
        Show(immunizations, i => i.Source);
        Show(carePlans, c => c.Source);
        Show(notes, n => n.Source);
        foreach (var list in entries.Values)
        {
            Show(list, e => e.Source);
        }

        var sections = Sections(counts, capped, CapOf, record.Failures);
        return new PatientContext
        {
            Patient = PatientSummaries.Create(record.Patient, record.Resources, now),
            Encounter = encounter,
            Conditions = conditions,
            Medications = medications,
            Allergies = allergies,
            Labs = labs,
            Vitals = vitals,
            OtherObservations = others,
            Notes = notes,
            Procedures = procedures,
            DiagnosticReports = reports,
            Immunizations = immunizations,
            CarePlans = carePlans,
            Entries = entries,
            Sections = sections,
            Resources = mapping.Cited,
            AssembledAt = now,
            Coverage = mapping.Coverage(shown, outside, overCap, sections, now),
            RecentSince = now.AddDays(-(options.WindowDays > 0 ? Math.Min(options.WindowDays, options.RecentDays) : options.RecentDays)),
        };
    }

    private static List<SectionStatus> Sections(Dictionary<string, int> counts, Dictionary<string, int> capped, Func<string, int> capOf, IReadOnlyList<SectionStatus> failures)
    {
        static Dictionary<string, string> Messages(IEnumerable<SectionStatus> statuses) => statuses
            .GroupBy(f => f.Section, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.Join(" ", g.Select(f => f.Message).Where(m => !string.IsNullOrWhiteSpace(m)).Distinct()), StringComparer.Ordinal);

        var failed = Messages(failures.Where(f => f.State == SectionState.Failed));
        var sourceCapped = Messages(failures.Where(f => f.State == SectionState.Capped));

        var sections = ContextSections.Keys
            .Select(name =>
            {
                var cap = capOf(name);
                var shown = capped.ContainsKey(name) ? cap : counts[name];
                if (failed.TryGetValue(name, out var message))
                {
                    return new SectionStatus(name, SectionState.Failed, shown, message.Length > 0 ? message : $"{name} could not be loaded.");
                }

                if (capped.TryGetValue(name, out var total))
                {
                    var more = sourceCapped.TryGetValue(name, out var m) ? " " + m : "";
                    return new SectionStatus(name, SectionState.Capped, shown,
                        $"showing {cap.ToString("N0", CultureInfo.InvariantCulture)} of {total.ToString("N0", CultureInfo.InvariantCulture)} {ContextSections.Label(name).ToLowerInvariant()} (newest first).{more}");
                }

                return sourceCapped.TryGetValue(name, out var capMessage)
                    ? new SectionStatus(name, SectionState.Capped, shown, capMessage)
                    : new SectionStatus(name, shown > 0 ? SectionState.Loaded : SectionState.Empty, shown);
            })
            .ToList();

        // Failures of anything else the source reports (not one of the declared sections) are passed through.
        sections.AddRange(failures.Where(f => !ContextSections.Keys.Contains(f.Section)));
        return sections;
    }

    /// <summary>The <see cref="ContextObservation.Category"/> of the Labs and Vitals sections' items.</summary>
    internal const string LabCategory = "laboratory", VitalCategory = "vital-signs";

    private static bool IsActive(string clinicalStatus) => clinicalStatus is "active" or "recurrence" or "relapse";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Count} FHIR resources that could not be mapped into the patient context")]
    private static partial void LogSkipped(ILogger logger, int count);

    /// <summary>The state of one mapping pass: the record, its resources by "Type/Id", and what was cited.</summary>
    private sealed partial class Mapping
    {
        private readonly string _patientId;
        private readonly ILogger _logger;
        private readonly Dictionary<string, Resource> _byKey;
        private readonly List<Resource> _resources;
        private readonly Dictionary<Type, List<Resource>> _byType;
        private readonly int _maxNoteCharacters;

        public Mapping(PatientRecord record, ILogger logger, int maxNoteCharacters)
        {
            _maxNoteCharacters = maxNoteCharacters;
            _logger = logger;
            _record = record;
            _patientId = record.Patient.Id ?? "";
            _byKey = new(StringComparer.Ordinal);
            _resources = [];
            _byType = [];
            foreach (var resource in record.Resources)
            {
                if (resource is null)
                {
                    continue;
                }

                if (string.IsNullOrEmpty(resource.Id))
                {
                    _left.Add((resource, CoverageOutcome.Unusable)); // no id: nothing could cite it
                    continue;
                }

                if (resource is Patient)
                {
                    _left.Add((resource, resource.Id == _patientId ? CoverageOutcome.Repeated : CoverageOutcome.Unusable));
                    continue;
                }

                if (_byKey.TryAdd(Key(resource), resource))
                {
                    _resources.Add(resource);
                    if (!_byType.TryGetValue(resource.GetType(), out var ofType))
                    {
                        _byType[resource.GetType()] = ofType = [];
                    }

                    ofType.Add(resource);
                }
                else
                {
                    _left.Add((resource, CoverageOutcome.Repeated));
                }
            }

            Cited[Key(record.Patient)] = record.Patient;
        }

        private readonly PatientRecord _record;

        /// <summary>Resources left out before mapping (no id, another patient, a repeat), with why.</summary>
        private readonly List<(Resource Resource, CoverageOutcome Outcome)> _left = [];

        /// <summary>Resources no item could be made of ("Type/Id").</summary>
        private readonly HashSet<string> _unusable = new(StringComparer.Ordinal);

        /// <summary>Supporting resources (a Medication, a note's Binary) and the items that used them.</summary>
        private readonly Dictionary<string, List<string>> _usedBy = new(StringComparer.Ordinal);

        /// <summary>The resource being mapped ("Type/Id"), so that a supporting resource knows who used it.</summary>
        private string? _mapping;

        private void Use(string supportingKey)
        {
            if (_mapping is null)
            {
                return;
            }

            (_usedBy.TryGetValue(supportingKey, out var users) ? users : _usedBy[supportingKey] = []).Add(_mapping);
        }

        /// <summary>Every received resource with its outcome, counted per type and observation category.</summary>
        public RecordCoverage Coverage(HashSet<string> shown, HashSet<string> outside, HashSet<string> overCap, IReadOnlyList<SectionStatus> sections,
            DateTimeOffset now)
        {
            var counts = new Dictionary<(string Type, string? Category, CoverageOutcome Outcome), int>();
            var items = new Dictionary<(string Type, string? Category, CoverageOutcome Outcome), List<(string Text, DateTimeOffset? When)>>();
            void Count(Resource resource, CoverageOutcome outcome)
            {
                var key = (resource.TypeName, resource is Observation o ? ObservationKinds.CategoryOf(o) : null, outcome);
                counts[key] = counts.GetValueOrDefault(key) + 1;
                if (outcome is not (CoverageOutcome.Shown or CoverageOutcome.UsedByShownItem))
                {
                    (items.TryGetValue(key, out var list) ? list : items[key] = []).Add(CoverageItem.Describe(resource, now));
                }
            }

            // Locations are shown as the ward of a shown encounter.
            var wards = new HashSet<string>(StringComparer.Ordinal);
            foreach (var encounter in OfType<Encounter>().Where(e => shown.Contains(Key(e))))
            {
                foreach (var location in encounter.Location)
                {
                    if (FhirValues.ReferenceKey(location.Location) is { } ward)
                    {
                        wards.Add(ward);
                    }
                }
            }

            CoverageOutcome Of(string key)
            {
                if (shown.Contains(key))
                {
                    return CoverageOutcome.Shown;
                }

                if (overCap.Contains(key))
                {
                    return CoverageOutcome.OverCap;
                }

                if (outside.Contains(key))
                {
                    return CoverageOutcome.OutsideWindow;
                }

                if (_unusable.Contains(key))
                {
                    return CoverageOutcome.Unusable;
                }

                return CoverageOutcome.TypeNotShown;
            }

            Count(_record.Patient, CoverageOutcome.Shown); // the banner
            foreach (var resource in _resources)
            {
                var key = Key(resource);
                var outcome = Of(key);
                if (outcome == CoverageOutcome.TypeNotShown)
                {
                    if (_usedBy.TryGetValue(key, out var users))
                    {
                        // A supporting resource shares the fate of the items that used it.
                        outcome = users.Select(Of).Min();
                        if (outcome == CoverageOutcome.Shown)
                        {
                            outcome = CoverageOutcome.UsedByShownItem;
                        }
                    }
                    else if (resource is Location && wards.Contains(key))
                    {
                        outcome = CoverageOutcome.UsedByShownItem;
                    }
                }

                Count(resource, outcome);
            }

            foreach (var (resource, outcome) in _left)
            {
                Count(resource, outcome);
            }

            foreach (var (type, number) in _record.Unreadable)
            {
                var key = (type, (string?)null, CoverageOutcome.Unreadable);
                counts[key] = counts.GetValueOrDefault(key) + number;
            }

            return new RecordCoverage(
                [.. counts.Select(c => new CoverageCount(c.Key.Type, c.Key.Category, c.Key.Outcome, c.Value)
                    {
                        Items = items.TryGetValue(c.Key, out var list)
                            ? [.. list.OrderByDescending(i => i.When ?? DateTimeOffset.MinValue).Take(RecordCoverage.ItemsPerGroup).Select(i => i.Text)]
                            : [],
                    })
                    .OrderBy(c => c.Type, StringComparer.Ordinal).ThenBy(c => c.Category, StringComparer.Ordinal).ThenBy(c => c.Outcome)],
                [.. sections.Where(s => s.State == SectionState.Failed)]);
        }

        public Dictionary<string, Resource> Cited { get; } = new(StringComparer.Ordinal);

        public int Skipped { get; private set; }

        /// <summary>Maps every resource of one type; unusable ones are skipped (and counted), mapped ones cited.</summary>
        public List<TOut> MapAll<TIn, TOut>(Func<Mapping, TIn, TOut?> map)
            where TIn : Resource
            where TOut : class
        {
            if (!_byType.TryGetValue(typeof(TIn), out var items))
            {
                return [];
            }

            return MapEach(items, resource => map(this, (TIn)resource));
        }

        /// <summary>Maps each resource; unusable ones are skipped (and counted), mapped ones cited.</summary>
        private List<TOut> MapEach<TOut>(IEnumerable<Resource> resources, Func<Resource, TOut?> map)
            where TOut : class
        {
            var result = new List<TOut>();
            foreach (var resource in resources)
            {
                TOut? mapped;
                _mapping = Key(resource);
                try
                {
                    mapped = map(resource);
                }
                catch (Exception ex) when (IsUnusable(ex))
                {
                    LogMapFailed(_logger, resource.TypeName, ex.GetType().Name);
                    mapped = null;
                }

                finally
                {
                    _mapping = null;
                }

                if (mapped is null)
                {
                    Skipped++;
                    _unusable.Add(Key(resource));
                    continue;
                }

                Cited[Key(resource)] = resource;
                result.Add(mapped);
            }

            return result;
        }

        /// <summary>A value that cannot be read (<see cref="FhirValues.IsUnreadableValue"/>): the item is skipped like any
        /// other unusable one.</summary>
        private static bool IsUnusable(Exception ex) => FhirValues.IsUnreadableValue(ex);

        /// <summary>The record's resources of one type (indexed once; a record holds thousands).</summary>
        private IEnumerable<T> OfType<T>() where T : Resource =>
            _byType.TryGetValue(typeof(T), out var ofType) ? ofType.Cast<T>() : [];

        /// <summary>The items of a section declared with its own mapper (<see cref="ContextSection.Map"/>), over the
        /// resources of its search types; unusable ones are skipped (and counted), mapped ones cited.</summary>
        public IEnumerable<ContextEntry> MapEntries(ContextSection section)
        {
            var types = section.Searches.Select(s => s.Type).ToHashSet(StringComparer.Ordinal);
            return MapEach(_byType.Values.Where(items => items.Count > 0 && types.Contains(items[0].TypeName)).SelectMany(items => items),
                resource => section.Map!(resource, _patientId));
        }

        public ContextEncounter? MapEncounter()
        {
            var encounters = OfType<Encounter>()
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
                FhirValues.ToDateTimeOffset(request.AuthoredOnElement),
                request.StatusReason is { } reason ? FhirValues.Display(reason) : null);
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
                FhirValues.ToDateTimeOffset(statement.Effective) ?? FhirValues.ToDateTimeOffset(statement.DateAssertedElement),
                statement.StatusReason.Select(FhirValues.Display).FirstOrDefault(r => r is not null));
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
                || FhirValues.Display(observation.Code) is not { } display)
            {
                return null;
            }

            var components = observation.Component.Count == 0
                ? NoComponents
                : observation.Component
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
                ?? (components.Count == 0 ? null : MostSevere(components.Select(c => c.Interpretation)));

            var section = ObservationKinds.SectionOf(observation);
            var category = section == ContextSections.Labs.Key ? LabCategory
                : section == ContextSections.Vitals.Key ? VitalCategory
                : ObservationKinds.CategoryOf(observation);
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
                components.Count == 0 ? [] : components.Select(c => c.Component).ToList());
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
            var other = new List<string>();
            string? attachmentTitle = null;
            foreach (var content in document.Content)
            {
                if (content.Attachment is not { } attachment)
                {
                    continue;
                }

                if (!IsText(attachment.ContentType))
                {
                    other.Add(string.IsNullOrWhiteSpace(attachment.ContentType) ? "unknown content" : attachment.ContentType.Trim());
                    continue;
                }

                var bytes = attachment.Data;
                if (bytes is null && FhirValues.ReferenceKey(new ResourceReference(attachment.Url)) is { } key
                    && key.StartsWith("Binary/", StringComparison.Ordinal)
                    && _byKey.TryGetValue(key, out var found) && found is Binary binary && IsText(binary.ContentType))
                {
                    bytes = binary.Data;
                    Cited[key] = binary;
                    Use(key);
                }

                // Decode at most a little more than the cap (4 bytes per char worst case): a huge note costs no more than that.
                var limit = Math.Min(bytes?.Length ?? 0, (_maxNoteCharacters + 1) * 4);
                var text = bytes is { Length: > 0 } ? Utf8.GetString(bytes, 0, limit).Trim('\uFEFF', ' ', '\r', '\n', '\t') : null;
                if (!string.IsNullOrWhiteSpace(text))
                {
                    texts.Add(StripControl(text));
                    attachmentTitle ??= attachment.Title;
                }
                else if (bytes is null && !string.IsNullOrWhiteSpace(attachment.Url))
                {
                    other.Add((attachment.ContentType ?? "text") + " (not retrieved)");
                }
            }

            if (texts.Count == 0 && other.Count == 0)
            {
                return null;
            }

            var body = string.Join("\n\n", texts);
            var truncated = body.Length > _maxNoteCharacters;
            if (truncated)
            {
                body = body[.._maxNoteCharacters] + $"\n[… note truncated at {_maxNoteCharacters.ToString("N0", CultureInfo.InvariantCulture)} characters]";
            }

            var title = FirstNonBlank(document.Description, attachmentTitle, FhirValues.Display(document.Type)) ?? "Clinical note";
            var author = document.Author.Select(a => a.Display).FirstOrDefault(d => !string.IsNullOrWhiteSpace(d));
            return new ContextNote(
                ResourceRef.From(document),
                title,
                author,
                document.Date ?? FhirValues.ToDateTimeOffset(document.Context?.Period?.StartElement),
                body,
                other.Count == 0 ? null : other,
                truncated);
        }

        public ContextProcedure? MapProcedure(Procedure procedure)
        {
            if (!FhirValues.IsForPatient(procedure.Subject, _patientId)
                || procedure.Status is EventStatus.EnteredInError
                || FhirValues.Display(procedure.Code) is not { } display)
            {
                return null;
            }

            return new ContextProcedure(
                ResourceRef.From(procedure),
                display,
                FhirValues.Code(procedure.Code, FhirValues.Snomed),
                procedure.Status?.GetLiteral() ?? "unknown",
                FhirValues.ToDateTimeOffset(procedure.Performed));
        }

        public ContextDiagnosticReport? MapReport(DiagnosticReport report)
        {
            if (!FhirValues.IsForPatient(report.Subject, _patientId)
                || report.Status is DiagnosticReport.DiagnosticReportStatus.EnteredInError or DiagnosticReport.DiagnosticReportStatus.Cancelled
                || FhirValues.Display(report.Code) is not { } display)
            {
                return null;
            }

            return new ContextDiagnosticReport(
                ResourceRef.From(report),
                display,
                FhirValues.Code(report.Code, FhirValues.Loinc),
                report.Status?.GetLiteral() ?? "unknown",
                report.Category.Select(FhirValues.Display).FirstOrDefault(c => c is not null),
                FhirValues.ToDateTimeOffset(report.Effective) ?? report.Issued,
                string.IsNullOrWhiteSpace(report.Conclusion) ? null : StripControl(report.Conclusion.Trim()),
                report.Result.Select(FhirValues.ReferenceKey).OfType<string>().ToList());
        }

        public ContextImmunization? MapImmunization(Immunization immunization)
        {
            if (!FhirValues.IsForPatient(immunization.Patient, _patientId)
                || immunization.Status is Immunization.ImmunizationStatusCodes.EnteredInError
                || FhirValues.Display(immunization.VaccineCode) is not { } vaccine)
            {
                return null;
            }

            return new ContextImmunization(
                ResourceRef.From(immunization),
                vaccine,
                FhirValues.Code(immunization.VaccineCode, "http://hl7.org/fhir/sid/cvx"),
                immunization.Status?.GetLiteral() ?? "unknown",
                FhirValues.ToDateTimeOffset(immunization.Occurrence));
        }

        public ContextCarePlan? MapCarePlan(CarePlan plan)
        {
            if (!FhirValues.IsForPatient(plan.Subject, _patientId)
                || plan.Status is RequestStatus.EnteredInError)
            {
                return null;
            }

            var display = FirstNonBlank(plan.Title, plan.Category.Select(FhirValues.Display).FirstOrDefault(c => c is not null), plan.Description);
            if (display is null)
            {
                return null;
            }

            var activities = plan.Activity
                .Select(a => FhirValues.Display(a.Detail?.Code) ?? a.Reference?.Display)
                .OfType<string>()
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            return new ContextCarePlan(ResourceRef.From(plan), "CarePlan", display, plan.Status?.GetLiteral() ?? "unknown",
                FhirValues.ToDateTimeOffset(plan.Period?.StartElement), activities);
        }

        public ContextCarePlan? MapGoal(Goal goal)
        {
            if (!FhirValues.IsForPatient(goal.Subject, _patientId)
                || goal.LifecycleStatus is Goal.GoalLifecycleStatus.EnteredInError
                || FhirValues.Display(goal.Description) is not { } display)
            {
                return null;
            }

            var targets = goal.Target
                .Select(t => FhirValues.Display(t.Measure) is { } measure ? measure + (t.Detail is Quantity q && q.Value is { } v ? $" {Number(v)} {UnitOf(q)}".TrimEnd() : "") : null)
                .OfType<string>()
                .ToList();
            return new ContextCarePlan(ResourceRef.From(goal), "Goal", display, goal.LifecycleStatus?.GetLiteral() ?? "unknown",
                FhirValues.ToDateTimeOffset(goal.Start), targets);
        }

        /// <summary>Control characters (other than line breaks and tabs) removed: note text is shown and sent as data.</summary>
        private static string StripControl(string text) =>
            text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t'))
                ? new string(text.Where(c => !char.IsControl(c) || c is '\n' or '\r' or '\t').ToArray())
                : text;

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
                            Use(key);
                        }
                    }

                    if (resolved is not null && FhirValues.Display(resolved.Code) is { } name)
                    {
                        return (name, FhirValues.Code(resolved.Code, FhirValues.RxNorm));
                    }

                    if (!string.IsNullOrWhiteSpace(reference.Display))
                    {
                        return (reference.Display.Trim(), null);
                    }

                    // An order whose drug the server cannot resolve is still an order: list it, saying so, rather
                    // than drop it from the chart and the draft without a trace.
                    return string.IsNullOrWhiteSpace(reference.Reference) ? null
                        : ($"Unknown medication (reference {reference.Reference} did not resolve)", null);

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

        /// <summary>Plain text and markdown (text/*, incl. text/markdown) are extracted; anything else (PDF, HTML is
        /// text/html and extracted as-is, images, CDA XML) is only listed.</summary>
        private static bool IsText(string? contentType) =>
            contentType is null || contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase);

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not map a {ResourceType} into the patient context ({ExceptionType})")]
        private static partial void LogMapFailed(ILogger logger, string resourceType, string exceptionType);
    }

    // ---- Observation values: units, reference ranges and interpretation flags ----

    private static string? UnitOf(Quantity quantity) =>
        !string.IsNullOrWhiteSpace(quantity.Unit) ? quantity.Unit.Trim() : string.IsNullOrWhiteSpace(quantity.Code) ? null : quantity.Code.Trim();

    /// <summary>The range that applies to everyone (no type, or type "normal"), else the first one.</summary>
    private static Observation.ReferenceRangeComponent? NormalRange(List<Observation.ReferenceRangeComponent> ranges)
    {
        foreach (var range in ranges)
        {
            if (range.Type is null || FhirValues.FirstCode(range.Type) == "normal")
            {
                return range;
            }
        }

        return ranges.Count > 0 ? ranges[0] : null;
    }

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
        var suffix = ClinicalUnits.Human(unit) is { Length: > 0 } human ? (human == "%" ? "%" : " " + human) : "";
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
        foreach (var interpretation in interpretations)
        {
            if (InterpretationOf(interpretation.Coding) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static string? InterpretationOf(List<Coding> codings)
    {
        foreach (var coding in codings)
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

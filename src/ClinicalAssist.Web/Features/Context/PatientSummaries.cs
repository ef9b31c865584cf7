using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Derives the patient-list row (<see cref="PatientSummary"/>) from a Patient and its related resources.</summary>
public static class PatientSummaries
{
    private static readonly Encounter.EncounterStatus[] OngoingStatuses =
    [
        Encounter.EncounterStatus.InProgress,
        Encounter.EncounterStatus.Onleave,
        Encounter.EncounterStatus.Arrived,
        Encounter.EncounterStatus.Triaged,
    ];

    /// <summary>Builds the summary. Location, admission reason and admission time come only from an ongoing
    /// (in-progress, on leave, arrived, triaged) encounter: a finished visit is not an admission.</summary>
    /// <param name="patient">The patient.</param>
    /// <param name="related">Resources of the same record (encounters, and the Location/Condition resources they point at).</param>
    /// <param name="now">The current time, for the age.</param>
    public static PatientSummary Create(Patient patient, IEnumerable<Resource> related, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(patient);
        ArgumentNullException.ThrowIfNull(related);

        var id = patient.Id ?? "";
        var resources = related as IReadOnlyCollection<Resource> ?? related.ToList();
        var admission = OngoingEncounter(resources.OfType<Encounter>().Where(e => FhirValues.IsForPatient(e.Subject, id)));
        var birthDate = FhirValues.BirthDate(patient);

        return new PatientSummary(
            Id: id,
            DisplayName: DisplayName(patient),
            Sex: Sex(patient.Gender),
            // A patient known to have died on an unknown date has no age to give (not the age they would be now).
            AgeYears: patient.Deceased is FhirBoolean { Value: true } ? null : FhirValues.AgeYears(birthDate, DateOnly.FromDateTime(AgeReference(patient, now).UtcDateTime)),
            BirthDate: birthDate,
            Mrn: Mrn(patient),
            Location: admission is null ? null : LocationOf(admission, resources),
            AdmissionReason: admission is null ? null : ReasonOf(admission, resources),
            AdmittedAt: admission is null ? null : FhirValues.ToDateTimeOffset(admission.Period?.StartElement),
            Deceased: patient.Deceased is FhirBoolean { Value: true } or FhirDateTime,
            DiedAt: patient.Deceased is FhirDateTime died ? FhirValues.ToDateTimeOffset(died) : null);
    }

    /// <summary>Age is counted to the date of death for a deceased patient, else to now.</summary>
    private static DateTimeOffset AgeReference(Patient patient, DateTimeOffset now) =>
        patient.Deceased is FhirDateTime died && FhirValues.ToDateTimeOffset(died) is { } diedAt && diedAt < now ? diedAt : now;

    /// <summary>The ongoing encounter (in-progress first, then on leave/arrived/triaged; newest start wins), else null.</summary>
    public static Encounter? OngoingEncounter(IEnumerable<Encounter> encounters)
    {
        // One pass (a record can hold thousands of encounters); on a tie the earlier one wins, as a stable sort's first.
        Encounter? best = null;
        var bestRank = int.MaxValue;
        var bestStart = DateTimeOffset.MinValue;
        foreach (var encounter in encounters)
        {
            var rank = encounter.Status is { } status ? Array.IndexOf(OngoingStatuses, status) : -1;
            if (rank < 0 || rank > bestRank)
            {
                continue;
            }

            var start = FhirValues.ToDateTimeOffset(encounter.Period?.StartElement) ?? DateTimeOffset.MinValue;
            if (rank < bestRank || start > bestStart)
            {
                (best, bestRank, bestStart) = (encounter, rank, start);
            }
        }

        return best;
    }

    /// <summary>"Given Family" from the official (else usual, else first current) name.</summary>
    public static string DisplayName(Patient patient)
    {
        var name = patient.Name.FirstOrDefault(n => n.Use == HumanName.NameUse.Official)
            ?? patient.Name.FirstOrDefault(n => n.Use == HumanName.NameUse.Usual)
            ?? patient.Name.FirstOrDefault(n => n.Use is not HumanName.NameUse.Old and not HumanName.NameUse.Anonymous)
            ?? patient.Name.FirstOrDefault();
        if (name is null)
        {
            return "Unnamed patient";
        }

        var parts = name.Given.Where(g => !string.IsNullOrWhiteSpace(g)).Append(name.Family).Where(p => !string.IsNullOrWhiteSpace(p));
        var display = string.Join(' ', parts!).Trim();
        return display.Length > 0 ? display : (string.IsNullOrWhiteSpace(name.Text) ? "Unnamed patient" : name.Text.Trim());
    }

    /// <summary>The identifier typed MR (v2-0203), else null.</summary>
    public static string? Mrn(Patient patient) =>
        patient.Identifier
            .Where(i => !string.IsNullOrWhiteSpace(i.Value) && i.Use != Identifier.IdentifierUse.Old)
            .FirstOrDefault(i => i.Type?.Coding.Any(c => c.Code == "MR" && (c.System is null || c.System == FhirValues.V2IdentifierType)) == true)
            ?.Value;

    public static string Sex(AdministrativeGender? gender) => gender switch
    {
        AdministrativeGender.Female => "Female",
        AdministrativeGender.Male => "Male",
        AdministrativeGender.Other => "Other",
        _ => "Unknown",
    };

    /// <summary>True when the query is a birth date (yyyy-MM-dd) equal to the patient's, or every word of
    /// <paramref name="query"/> is in the display name, or the query is (part of) the MRN, or equals the id. Case-insensitive; an empty query matches everyone.</summary>
    public static bool Matches(PatientSummary summary, string? query)
    {
        ArgumentNullException.ThrowIfNull(summary);
        if (string.IsNullOrWhiteSpace(query))
        {
            return true;
        }

        var q = query.Trim();
        if (DateOnly.TryParseExact(q, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var born))
        {
            return summary.BirthDate == born;
        }

        if (string.Equals(summary.Id, q, StringComparison.OrdinalIgnoreCase)
            || (summary.Mrn is { } mrn && mrn.Contains(q, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return q.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .All(word => summary.DisplayName.Contains(word, StringComparison.OrdinalIgnoreCase));
    }

    internal static string? LocationOf(Encounter encounter, IEnumerable<Resource> resources)
    {
        var entry = encounter.Location.FirstOrDefault(l => l.Status is Encounter.EncounterLocationStatus.Active)
            ?? encounter.Location.LastOrDefault();
        if (entry?.Location is null)
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(entry.Location.Display))
        {
            return entry.Location.Display.Trim();
        }

        var key = FhirValues.ReferenceKey(entry.Location);
        return resources.OfType<Location>().FirstOrDefault(l => "Location/" + l.Id == key)?.Name;
    }

    internal static string? ReasonOf(Encounter encounter, IEnumerable<Resource> resources)
    {
        var coded = encounter.ReasonCode.Select(FhirValues.Display).FirstOrDefault(d => d is not null);
        if (coded is not null)
        {
            return coded;
        }

        foreach (var reference in encounter.ReasonReference)
        {
            if (!string.IsNullOrWhiteSpace(reference.Display))
            {
                return reference.Display.Trim();
            }

            var key = FhirValues.ReferenceKey(reference);
            var condition = resources.OfType<Condition>().FirstOrDefault(c => "Condition/" + c.Id == key);
            if (FhirValues.Display(condition?.Code) is { } display)
            {
                return display;
            }
        }

        return null;
    }
}

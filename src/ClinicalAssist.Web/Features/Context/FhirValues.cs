using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Small, null-tolerant readers for FHIR datatypes shared by the record sources and the context builder.</summary>
internal static class FhirValues
{
    public const string Snomed = "http://snomed.info/sct";
    public const string Loinc = "http://loinc.org";
    public const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
    public const string Icd10 = "http://hl7.org/fhir/sid/icd-10";
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
    public const string V2IdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203";

    /// <summary>The concept's text, else the first coding display, else the first code.</summary>
    public static string? Display(CodeableConcept? concept)
    {
        if (concept is null)
        {
            return null;
        }

        if (!string.IsNullOrWhiteSpace(concept.Text))
        {
            return concept.Text.Trim();
        }

        foreach (var coding in concept.Coding)
        {
            if (!string.IsNullOrWhiteSpace(coding.Display))
            {
                return coding.Display.Trim();
            }
        }

        return concept.Coding.Select(c => c.Code).FirstOrDefault(c => !string.IsNullOrWhiteSpace(c));
    }

    /// <summary>The code of the first coding from one of <paramref name="systems"/>.</summary>
    public static string? Code(CodeableConcept? concept, params ReadOnlySpan<string> systems)
    {
        if (concept is null)
        {
            return null;
        }

        foreach (var coding in concept.Coding)
        {
            if (string.IsNullOrWhiteSpace(coding.Code) || coding.System is null)
            {
                continue;
            }

            foreach (var system in systems)
            {
                if (string.Equals(coding.System, system, StringComparison.OrdinalIgnoreCase))
                {
                    return coding.Code;
                }
            }
        }

        return null;
    }

    /// <summary>The first code of the concept whatever its system (status concepts such as clinicalStatus).</summary>
    public static string? FirstCode(CodeableConcept? concept)
    {
        if (concept is null)
        {
            return null;
        }

        foreach (var coding in concept.Coding)
        {
            if (!string.IsNullOrWhiteSpace(coding.Code))
            {
                return coding.Code;
            }
        }

        return null;
    }

    /// <summary>A search entry the server returned as a match (mode "match", or no mode: only "include" and "outcome"
    /// entries are not). Reads the code's text: Firely's typed <c>Mode</c> parses the enum on every read, which cost
    /// more than a millisecond per record page loop.</summary>
    public static bool IsMatch(Bundle.EntryComponent entry) => entry.Search?.ModeElement?.JsonValue as string is not ("include" or "outcome");

    /// <summary>An entry the server added because the search asked for it (<c>_include</c>).</summary>
    public static bool IsInclude(Bundle.EntryComponent entry) => entry.Search?.ModeElement?.JsonValue as string == "include";

    /// <summary>A point in time from dateTime, instant, date or Period (its start). Partial dates count from their start.</summary>
    public static DateTimeOffset? ToDateTimeOffset(DataType? value) => value switch
    {
        FhirDateTime dt => ToDateTimeOffset(dt),
        Instant instant => instant.Value,
        Date date when date.TryToDateTimeOffset(out var d) => d,
        Period period => ToDateTimeOffset(period.StartElement) ?? ToDateTimeOffset(period.EndElement),
        _ => null,
    };

    /// <summary>The dateTime as a point in time; partial dates count from their start (UTC).</summary>
    public static DateTimeOffset? ToDateTimeOffset(FhirDateTime? value)
    {
        if (value is null)
        {
            return null;
        }

        return value.TryToDateTimeOffset(TimeSpan.Zero, out var result) ? result : null;
    }

    /// <summary>A full birth date (yyyy-MM-dd); partial or missing dates give null.</summary>
    public static DateOnly? BirthDate(Patient patient) =>
        patient.BirthDate is { Length: 10 } text && DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var parsed)
            ? parsed : null;

    /// <summary>Completed years between <paramref name="birthDate"/> and <paramref name="today"/>.</summary>
    public static int? AgeYears(DateOnly? birthDate, DateOnly today)
    {
        if (birthDate is not { } born || born > today)
        {
            return null;
        }

        var age = today.Year - born.Year;
        if (today < born.AddYears(age))
        {
            age--;
        }

        return age;
    }

    /// <summary>"Type/id" of a relative or absolute literal reference (history suffix dropped), else null.
    /// Contained ("#x") and logical (identifier-only) references give null.</summary>
    /// <summary>What reading a value the record holds may throw: CodedValidationException when the lenient parser kept
    /// an invalid primitive (e.g. "value": "ninety" for a decimal), the others for malformed dates, codes and numbers.</summary>
    public static bool IsUnreadableValue(Exception ex) =>
        ex is FormatException or OverflowException or InvalidCastException or ArgumentException or InvalidOperationException
            or Hl7.Fhir.Validation.CodedValidationException;

    public static string? ReferenceKey(ResourceReference? reference)
    {
        var text = reference?.Reference;
        if (string.IsNullOrWhiteSpace(text) || text.StartsWith('#') || text.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return TrySplitReference(text, out var type, out var id) ? string.Concat(type, "/", id) : null;
    }

    /// <summary>The last two segments of a literal reference (its <c>_history</c> suffix and trailing slashes dropped)
    /// when they read as Type/id, without allocating.</summary>
    private static bool TrySplitReference(ReadOnlySpan<char> text, out ReadOnlySpan<char> type, out ReadOnlySpan<char> id)
    {
        type = id = default;
        var history = text.IndexOf("/_history/", StringComparison.Ordinal);
        if (history >= 0)
        {
            text = text[..history];
        }

        text = text.TrimEnd('/');
        var last = text.LastIndexOf('/');
        if (last < 0)
        {
            return false;
        }

        id = text[(last + 1)..];
        type = text[..last];
        type = type[(type.LastIndexOf('/') + 1)..];
        return type.Length > 0 && id.Length > 0 && char.IsUpper(type[0]);
    }

    /// <summary>True unless the reference points at a different patient. A missing reference is accepted
    /// (the resource came from that patient's own bundle or search).</summary>
    public static bool IsForPatient(ResourceReference? subject, string patientId)
    {
        // ReferenceKey's reading without building the key (this runs for every resource of a record).
        var text = subject?.Reference;
        if (string.IsNullOrWhiteSpace(text) || text.StartsWith('#') || text.StartsWith("urn:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return !TrySplitReference(text, out var type, out var id) || !type.SequenceEqual("Patient") || id.SequenceEqual(patientId);
    }
}

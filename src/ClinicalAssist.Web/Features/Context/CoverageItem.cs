using System.Globalization;
using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>One line for a resource the chart does not show in a section: what it is and when, in the chart's words
/// ("Tobacco smoking status: Never smoked · 04 Feb 2015"), for the coverage panel's "show".</summary>
public static class CoverageItem
{
    public static (string Text, DateTimeOffset? When) Describe(Resource resource, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(resource);
        try
        {
            return Read(resource, now);
        }
        catch (Exception ex) when (FhirValues.IsUnreadableValue(ex))
        {
            return ($"{resource.TypeName} (values that cannot be read)", null); // often why it is not shown
        }
    }

    private static (string Text, DateTimeOffset? When) Read(Resource resource, DateTimeOffset now)
    {
        var (what, when) = resource switch
        {
            Observation o => (Join(FhirValues.Display(o.Code), Value(o.Value)), FhirValues.ToDateTimeOffset(o.Effective) ?? o.Issued),
            Condition c => (FhirValues.Display(c.Code), FhirValues.ToDateTimeOffset(c.Onset) ?? FhirValues.ToDateTimeOffset(c.RecordedDateElement)),
            Procedure p => (FhirValues.Display(p.Code), FhirValues.ToDateTimeOffset(p.Performed)),
            MedicationRequest m => (m.Medication as CodeableConcept is { } drug ? FhirValues.Display(drug) : m.Medication is ResourceReference r ? r.Display : null,
                FhirValues.ToDateTimeOffset(m.AuthoredOnElement)),
            Immunization i => (FhirValues.Display(i.VaccineCode), FhirValues.ToDateTimeOffset(i.Occurrence)),
            DiagnosticReport d => (FhirValues.Display(d.Code), FhirValues.ToDateTimeOffset(d.Effective) ?? d.Issued),
            DocumentReference d => (d.Description ?? FhirValues.Display(d.Type), d.Date),
            Encounter e => (e.Type.Select(FhirValues.Display).FirstOrDefault(t => t is not null) ?? e.Class?.Display ?? e.Class?.Code,
                FhirValues.ToDateTimeOffset(e.Period?.StartElement)),
            CarePlan c => (c.Title ?? c.Category.Select(FhirValues.Display).FirstOrDefault(t => t is not null), FhirValues.ToDateTimeOffset(c.Period?.StartElement)),
            AllergyIntolerance a => (FhirValues.Display(a.Code), FhirValues.ToDateTimeOffset(a.RecordedDateElement)),
            Claim c => ("Claim", FhirValues.ToDateTimeOffset(c.CreatedElement)),
            ExplanationOfBenefit e => ("Explanation of benefit", FhirValues.ToDateTimeOffset(e.CreatedElement)),
            _ => (null, null),
        };
        var text = what is { Length: > 0 } ? what : resource.TypeName;
        return (when is null ? text : $"{text} · {ClinicalDates.Day(when, now)}", when);
    }

    private static string? Join(string? name, string? value) =>
        name is null ? value : value is null ? name : $"{name}: {value}";

    private static string? Value(DataType? value) => value switch
    {
        Quantity q when q.Value is { } v => $"{v.ToString(CultureInfo.InvariantCulture)} {q.Unit ?? q.Code}".TrimEnd(),
        CodeableConcept c => FhirValues.Display(c),
        FhirString s => s.Value,
        FhirBoolean b when b.Value is { } yes => yes ? "yes" : "no",
        Integer i => i.Value?.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };
}

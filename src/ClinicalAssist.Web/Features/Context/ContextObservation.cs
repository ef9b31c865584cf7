using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>A lab or vital sign. <see cref="Components"/> carries blood pressure's systolic/diastolic.</summary>
public sealed record ContextObservation(
    ResourceRef Source,
    string Category,
    string Display,
    string? Loinc,
    decimal? Value,
    string? Unit,
    string? ValueText,
    string? ReferenceRange,
    string? Interpretation,
    DateTimeOffset? Effective,
    IReadOnlyList<ContextObservationComponent> Components)
{
    /// <summary>True when the interpretation flag says abnormal (H, L, HH, LL, A, AA, critical).</summary>
    public bool IsAbnormal => Interpretation is { Length: > 0 } i && i is not "N";

    public bool IsCritical => Interpretation is "HH" or "LL" or "AA";

    /// <summary>The short name a clinician reads ("CRP", "WCC"), from <see cref="ClinicalKnowledge"/> by LOINC; else the display.</summary>
    public string Name => ClinicalKnowledge.NameOf(this);

    /// <summary>The value with its unit as read: "18.4 ×10⁹/L", "37.1 °C", "162/95 mmHg", "1.2" (INR). The UCUM unit
    /// stays in <see cref="Unit"/> and <see cref="FormattedValue"/>.</summary>
    public string DisplayValue => Components.Count > 0
        ? string.Join("/", Components.Select(c => c.Value?.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) ?? "?")) + (ClinicalUnits.Human(Unit ?? Components[0].Unit) is { Length: > 0 } u ? " " + u : "")
        : Value is { } v ? ClinicalUnits.Format(v, Unit) : ValueText ?? "";

    public string FormattedValue => Components.Count > 0
        ? string.Join("/", Components.Select(c => c.Value?.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) ?? "?")) + (Unit is null ? "" : " " + Unit)
        : Value is { } v ? v.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + (Unit is null ? "" : " " + Unit) : ValueText ?? "";
}

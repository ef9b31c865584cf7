namespace ClinicalAssist.Web.Features.Context;

/// <summary>A measured quantity as a ward doctor names it ("CRP", "WCC", "SpO₂"), recognised by its LOINC codes (the
/// code stays what is cited; the short name is what is read). Declared once in <see cref="ClinicalKnowledge"/>.</summary>
/// <param name="Name">The short name shown on the chart, in the prompt and in drafts.</param>
/// <param name="Loinc">The LOINC codes that measure it.</param>
/// <param name="Vital">True for a vital sign (heart rate, SpO₂, …), false for a laboratory result.</param>
public sealed record Analyte(string Name, IReadOnlyList<string> Loinc, bool Vital = false)
{
    /// <summary>True when the observation carries one of this analyte's LOINC codes.</summary>
    public bool Measures(ContextObservation observation) =>
        observation?.Loinc is { Length: > 0 } code && Loinc.Contains(code, StringComparer.Ordinal);
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>UCUM units as a clinician writes them: "Cel" → "°C", "10*3/uL" → "×10⁹/L" (the same number), "mm[Hg]" →
/// "mmHg", "{INR}" and "[pH]" → nothing. The record's UCUM code is kept for citation; this is only how it reads.</summary>
public static partial class ClinicalUnits
{
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["Cel"] = "°C",
        ["[degF]"] = "°F",
        ["10*3/uL"] = "×10⁹/L",
        ["10^3/uL"] = "×10⁹/L",
        ["10*9/L"] = "×10⁹/L",
        ["10*6/uL"] = "×10¹²/L",
        ["10*12/L"] = "×10¹²/L",
        ["mm[Hg]"] = "mmHg",
        ["{INR}"] = "",
        ["[pH]"] = "",
        ["pH"] = "",
        ["{score}"] = "",
        ["{nominal}"] = "",
        ["m[IU]/L"] = "mIU/L",
        ["[IU]/L"] = "IU/L",
        ["u[IU]/mL"] = "µIU/mL",
        ["ng/mL{FEU}"] = "ng/mL FEU",
        ["mL/min/{1.73_m2}"] = "mL/min/1.73 m²",
        ["mL/min/1.73.m2"] = "mL/min/1.73 m²",
        ["kg/m2"] = "kg/m²",
        ["/min"] = "/min",
        ["{beats}/min"] = "/min",
        ["{breaths}/min"] = "/min",
        ["%"] = "%",
        ["umol/L"] = "µmol/L",
        ["ug/L"] = "µg/L",
        ["ug/dL"] = "µg/dL",
    };

    /// <summary>The unit as read ("" when the value needs none, e.g. an INR); null stays null.</summary>
    public static string? Human(string? ucum)
    {
        if (ucum is null) return null;
        var unit = ucum.Trim();
        if (Known.TryGetValue(unit, out var human)) return human;
        // Other units: annotations ("{cells}") and brackets ("[IU]") are UCUM spelling, not words.
        return Annotation().Replace(unit, "").Replace("[", "", StringComparison.Ordinal).Replace("]", "", StringComparison.Ordinal).Trim();
    }

    /// <summary>"4.6 mmol/L", "18.4 ×10⁹/L", "1.2" (INR), "37.1 °C", "96%".</summary>
    public static string Format(decimal value, string? ucum)
    {
        var number = value.ToString("0.##", CultureInfo.InvariantCulture);
        return Human(ucum) switch
        {
            null or "" => number,
            "%" => number + "%",
            { } unit => number + " " + unit,
        };
    }

    [GeneratedRegex(@"\{[^}]*\}", RegexOptions.CultureInvariant)]
    private static partial Regex Annotation();
}

using System.Globalization;

namespace ClinicalAssist.Web.Features.Validation;

/// <summary>The age bands a case is shown and split by (never the age itself), declared once.</summary>
public static class AgeBands
{
    public const string Unknown = "unknown";

    public static string Of(int? age) => age switch
    {
        null => Unknown,
        < 18 => "0–17",
        < 40 => "18–39",
        < 65 => "40–64",
        < 80 => "65–79",
        _ => "80+",
    };

    /// <summary>"Ward 7B, Bed 3" → "Ward 7B": the service a case is shown and split by (never the bed).</summary>
    public static string ServiceOf(string? location)
    {
        if (string.IsNullOrWhiteSpace(location)) return Unknown;
        var comma = location.IndexOf(", Bed", StringComparison.OrdinalIgnoreCase);
        var service = (comma > 0 ? location[..comma] : location).Trim();
        return service.Length > 100 ? service[..100] : service;
    }

    public static string SexOf(string? sex) =>
        string.IsNullOrWhiteSpace(sex) ? Unknown : CultureInfo.InvariantCulture.TextInfo.ToLower(sex.Trim()) is var s && s.Length <= 20 ? s : Unknown;
}

namespace ClinicalAssist.Web.Features.DemoData;

/// <summary>v3-ObservationInterpretation from a value against its range and critical limits.</summary>
internal static class Interpretation
{
    public static string For(decimal value, decimal low, decimal high, decimal? criticalLow, decimal? criticalHigh) =>
        value < criticalLow ? "LL"
        : value > criticalHigh ? "HH"
        : value < low ? "L"
        : value > high ? "H"
        : "N";

    public static string Display(string code) => code switch
    {
        "LL" => "Critical low",
        "L" => "Low",
        "HH" => "Critical high",
        "H" => "High",
        _ => "Normal",
    };
}

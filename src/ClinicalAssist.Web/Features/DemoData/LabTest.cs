namespace ClinicalAssist.Web.Features.DemoData;

/// <summary>A LOINC-coded laboratory test with its UCUM unit, reference range and critical limits.
/// Sex-specific ranges (haemoglobin, creatinine) use <see cref="FemaleLow"/>/<see cref="FemaleHigh"/>.</summary>
internal sealed record LabTest(
    string Key,
    string Loinc,
    string Display,
    string Unit,
    decimal Low,
    decimal High,
    int Decimals,
    decimal? CriticalLow = null,
    decimal? CriticalHigh = null,
    decimal? FemaleLow = null,
    decimal? FemaleHigh = null)
{
    public (decimal Low, decimal High) RangeFor(bool female) =>
        female ? (FemaleLow ?? Low, FemaleHigh ?? High) : (Low, High);
}

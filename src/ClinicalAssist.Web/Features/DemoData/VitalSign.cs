namespace ClinicalAssist.Web.Features.DemoData;

/// <summary>A vital sign's LOINC code and the range outside which it is flagged.</summary>
internal sealed record VitalSign(string Key, string Loinc, string Display, string Unit, decimal Low, decimal High, decimal CriticalLow, decimal CriticalHigh, int Decimals);

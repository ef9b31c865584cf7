namespace ClinicalAssist.Web.Features.DemoData;

/// <summary>Vital sign trajectories, each spread over the stay like <see cref="LabTrend.Points"/>.</summary>
internal sealed record VitalTrends(
    decimal[] HeartRate,
    decimal[] RespiratoryRate,
    decimal[] Temperature,
    decimal[] SpO2,
    decimal[] Systolic,
    decimal[] Diastolic);

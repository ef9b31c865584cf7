namespace ClinicalAssist.Web.Features.DemoData;

internal static class Vitals
{
    public static readonly VitalSign HeartRate = new("HR", "8867-4", "Heart rate", "/min", 60, 100, 40, 130, 0);
    public static readonly VitalSign RespiratoryRate = new("RR", "9279-1", "Respiratory rate", "/min", 12, 20, 8, 30, 0);
    public static readonly VitalSign Temperature = new("Temp", "8310-5", "Body temperature", "Cel", 36.0m, 37.9m, 35.0m, 40.0m, 1);
    public static readonly VitalSign SpO2 = new("SpO2", "59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", 94, 100, 85, 101, 0);
    public static readonly VitalSign Systolic = new("SBP", "8480-6", "Systolic blood pressure", "mm[Hg]", 90, 140, 80, 200, 0);
    public static readonly VitalSign Diastolic = new("DBP", "8462-4", "Diastolic blood pressure", "mm[Hg]", 60, 90, 40, 120, 0);

    public const string SpO2AltLoinc = "2708-6";
    public const string SpO2AltDisplay = "Oxygen saturation in Arterial blood";
    public const string BloodPressureLoinc = "85354-9";
    public const string BloodPressureDisplay = "Blood pressure panel with all children optional";
}

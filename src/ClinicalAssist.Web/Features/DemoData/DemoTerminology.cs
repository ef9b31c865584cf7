namespace ClinicalAssist.Web.Features.DemoData;

/// <summary>Code system URIs used by the demo data.</summary>
internal static class CodeSystems
{
    public const string Snomed = "http://snomed.info/sct";
    public const string Icd10Cm = "http://hl7.org/fhir/sid/icd-10-cm";
    public const string Loinc = "http://loinc.org";
    public const string RxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm";
    public const string Ucum = "http://unitsofmeasure.org";
    public const string ObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category";
    public const string Interpretation = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";
    public const string ConditionClinical = "http://terminology.hl7.org/CodeSystem/condition-clinical";
    public const string ConditionVerification = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
    public const string ConditionCategory = "http://terminology.hl7.org/CodeSystem/condition-category";
    public const string AllergyClinical = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
    public const string AllergyVerification = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification";
    public const string ActCode = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
    public const string IdentifierType = "http://terminology.hl7.org/CodeSystem/v2-0203";
    public const string DocumentCategory = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category";
    public const string MrnSystem = "urn:oid:2.16.840.1.113883.19.5";
}

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

internal static class Labs
{
    public static readonly LabTest Sodium = new("Na", "2951-2", "Sodium [Moles/volume] in Serum or Plasma", "mmol/L", 135, 145, 0, 120, 160);
    public static readonly LabTest Potassium = new("K", "2823-3", "Potassium [Moles/volume] in Serum or Plasma", "mmol/L", 3.5m, 5.1m, 1, 2.8m, 6.0m);
    public static readonly LabTest Creatinine = new("Cr", "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "mg/dL", 0.74m, 1.35m, 2, FemaleLow: 0.59m, FemaleHigh: 1.04m);
    public static readonly LabTest Urea = new("BUN", "3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "mg/dL", 7, 20, 0);
    public static readonly LabTest Glucose = new("Glu", "2345-7", "Glucose [Mass/volume] in Serum or Plasma", "mg/dL", 70, 140, 0, 50, 400);
    public static readonly LabTest Hemoglobin = new("Hb", "718-7", "Hemoglobin [Mass/volume] in Blood", "g/dL", 13.5m, 17.5m, 1, 7.0m, 20.0m, 12.0m, 15.5m);
    public static readonly LabTest Wbc = new("WBC", "6690-2", "Leukocytes [#/volume] in Blood by Automated count", "10*3/uL", 4.0m, 11.0m, 1, 2.0m, 30.0m);
    public static readonly LabTest Platelets = new("Plt", "777-3", "Platelets [#/volume] in Blood by Automated count", "10*3/uL", 150, 400, 0, 50, 1000);
    public static readonly LabTest Crp = new("CRP", "1988-5", "C reactive protein [Mass/volume] in Serum or Plasma", "mg/L", 0, 10, 0);
    public static readonly LabTest Lactate = new("Lac", "2524-7", "Lactate [Moles/volume] in Serum or Plasma", "mmol/L", 0.5m, 2.2m, 1, CriticalHigh: 4.0m);
    public static readonly LabTest Bicarbonate = new("HCO3", "1963-8", "Bicarbonate [Moles/volume] in Serum or Plasma", "mmol/L", 22, 29, 0, 10, 40);
    public static readonly LabTest ArterialPh = new("pH", "2744-1", "pH of Arterial blood", "[pH]", 7.35m, 7.45m, 2, 7.20m, 7.60m);
    public static readonly LabTest ArterialPco2 = new("pCO2", "2019-8", "Carbon dioxide [Partial pressure] in Arterial blood", "mm[Hg]", 35, 45, 0, 20, 70);
    public static readonly LabTest TroponinI = new("TnI", "10839-9", "Troponin I.cardiac [Mass/volume] in Serum or Plasma", "ng/mL", 0, 0.04m, 2);
    public static readonly LabTest NtProBnp = new("NTproBNP", "33762-6", "Natriuretic peptide.B prohormone N-Terminal [Mass/volume] in Serum or Plasma", "pg/mL", 0, 125, 0);
    public static readonly LabTest DDimer = new("DDimer", "48065-7", "Fibrin D-dimer FEU [Mass/volume] in Platelet poor plasma", "ng/mL{FEU}", 0, 500, 0);
    public static readonly LabTest Inr = new("INR", "6301-6", "INR in Platelet poor plasma by Coagulation assay", "{INR}", 0.8m, 1.2m, 1, CriticalHigh: 5.0m);
    public static readonly LabTest Procalcitonin = new("PCT", "33959-8", "Procalcitonin [Mass/volume] in Serum or Plasma", "ng/mL", 0, 0.5m, 2);
    public static readonly LabTest Magnesium = new("Mg", "19123-9", "Magnesium [Mass/volume] in Serum or Plasma", "mg/dL", 1.7m, 2.2m, 1, 1.0m, 4.0m);
    public static readonly LabTest Alt = new("ALT", "1742-6", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 7, 56, 0);
    public static readonly LabTest Ast = new("AST", "1920-8", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma", "U/L", 10, 40, 0);
    public static readonly LabTest Bilirubin = new("Bili", "1975-2", "Bilirubin.total [Mass/volume] in Serum or Plasma", "mg/dL", 0.1m, 1.2m, 1);
    public static readonly LabTest Albumin = new("Alb", "1751-7", "Albumin [Mass/volume] in Serum or Plasma", "g/dL", 3.5m, 5.0m, 1);
    public static readonly LabTest Mcv = new("MCV", "787-2", "MCV [Entitic volume] by Automated count", "fL", 80, 100, 0);
    public static readonly LabTest Calcium = new("Ca", "17861-6", "Calcium [Mass/volume] in Serum or Plasma", "mg/dL", 8.5m, 10.2m, 1, 6.0m, 13.0m);
    public static readonly LabTest Tsh = new("TSH", "3016-3", "Thyrotropin [Units/volume] in Serum or Plasma", "m[IU]/L", 0.4m, 4.0m, 1);
    public static readonly LabTest VitaminB12 = new("B12", "2132-9", "Cobalamin (Vitamin B12) [Mass/volume] in Serum or Plasma", "pg/mL", 200, 900, 0);
    public static readonly LabTest HbA1c = new("HbA1c", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%", 4.0m, 5.6m, 1);
    public static readonly LabTest Ldl = new("LDL", "18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", "mg/dL", 0, 100, 0);

    /// <summary>The daily panel every inpatient gets, with a typical value used unless the scenario says otherwise.</summary>
    public static readonly IReadOnlyList<(LabTest Test, decimal Typical, decimal FemaleTypical)> RoutinePanel =
    [
        (Sodium, 139, 139),
        (Potassium, 4.2m, 4.2m),
        (Creatinine, 0.95m, 0.78m),
        (Urea, 15, 14),
        (Glucose, 104, 102),
        (Hemoglobin, 14.2m, 13.1m),
        (Wbc, 7.2m, 7.0m),
        (Platelets, 245, 262),
        (Crp, 4, 4),
    ];
}

/// <summary>A vital sign's LOINC code and the range outside which it is flagged.</summary>
internal sealed record VitalSign(string Key, string Loinc, string Display, string Unit, decimal Low, decimal High, decimal CriticalLow, decimal CriticalHigh, int Decimals);

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

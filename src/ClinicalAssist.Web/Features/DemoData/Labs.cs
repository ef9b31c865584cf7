namespace ClinicalAssist.Web.Features.DemoData;

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

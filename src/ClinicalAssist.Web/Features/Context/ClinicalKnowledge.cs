namespace ClinicalAssist.Web.Features.Context;

/// <summary>
/// The clinical knowledge the product declares once (docs/adr/0029): short names of results and vital signs by LOINC,
/// and per problem — by SNOMED CT concept or ICD-10 prefix — the results, vital signs and medicines (RxNorm) that bear
/// on it. The chart names results with it, the prompt sends its names, and the offline drafter links evidence to a
/// problem only through it (never by co-occurrence). It covers every demo scenario and the common Synthea conditions;
/// anything not listed is simply not linked. Reviewed by reading: one row per problem, codes beside their words.
/// </summary>
public static class ClinicalKnowledge
{
    private static Analyte Lab(string name, params string[] loinc) => new(name, loinc);
    private static Analyte Vital(string name, params string[] loinc) => new(name, loinc, Vital: true);

    // ---------------------------------------------------------------- Laboratory results
    public static readonly Analyte Sodium = Lab("Na", "2951-2", "2947-0");
    public static readonly Analyte Potassium = Lab("K", "2823-3", "6298-4", "77142-8");
    public static readonly Analyte Chloride = Lab("Cl", "2075-0", "2069-3");
    public static readonly Analyte Bicarbonate = Lab("HCO₃", "1963-8", "1959-6");
    public static readonly Analyte TotalCo2 = Lab("Total CO₂", "20565-8", "2028-9");
    public static readonly Analyte Creatinine = Lab("Cr", "2160-0", "38483-4", "14682-9");
    public static readonly Analyte Egfr = Lab("eGFR", "33914-3", "62238-1", "48642-3", "48643-1", "69405-9", "98979-8");
    public static readonly Analyte Urea = Lab("Urea", "3094-0", "6299-2");
    public static readonly Analyte Glucose = Lab("Glucose", "2345-7", "2339-0", "41653-7");
    public static readonly Analyte HbA1c = Lab("HbA1c", "4548-4", "17856-6");
    public static readonly Analyte Haemoglobin = Lab("Hb", "718-7", "30313-1");
    public static readonly Analyte Haematocrit = Lab("Hct", "4544-3", "20570-8");
    public static readonly Analyte WhiteCells = Lab("WCC", "6690-2", "26464-8");
    public static readonly Analyte RedCells = Lab("RBC", "789-8");
    public static readonly Analyte Platelets = Lab("Plt", "777-3", "26515-7");
    public static readonly Analyte Mcv = Lab("MCV", "787-2");
    public static readonly Analyte Crp = Lab("CRP", "1988-5", "30522-7");
    public static readonly Analyte Procalcitonin = Lab("PCT", "33959-8");
    public static readonly Analyte Lactate = Lab("Lactate", "2524-7", "32693-4");
    public static readonly Analyte ArterialPh = Lab("pH", "2744-1", "11558-4", "2746-6");
    public static readonly Analyte ArterialPco2 = Lab("pCO₂", "2019-8", "11557-6");
    public static readonly Analyte Troponin = Lab("Troponin", "10839-9", "6598-7", "89579-7", "49563-0", "67151-1");
    public static readonly Analyte NtProBnp = Lab("NT-proBNP", "33762-6", "83107-3");
    public static readonly Analyte Bnp = Lab("BNP", "30934-4", "42637-9");
    public static readonly Analyte DDimer = Lab("D-dimer", "48065-7", "48066-5");
    public static readonly Analyte Inr = Lab("INR", "6301-6", "34714-6");
    public static readonly Analyte Magnesium = Lab("Mg", "19123-9", "2601-3");
    public static readonly Analyte Calcium = Lab("Ca", "17861-6", "49765-1");
    public static readonly Analyte Alt = Lab("ALT", "1742-6");
    public static readonly Analyte Ast = Lab("AST", "1920-8");
    public static readonly Analyte Alp = Lab("ALP", "6768-6");
    public static readonly Analyte Bilirubin = Lab("Bilirubin", "1975-2");
    public static readonly Analyte Albumin = Lab("Albumin", "1751-7");
    public static readonly Analyte TotalProtein = Lab("Protein", "2885-2");
    public static readonly Analyte Tsh = Lab("TSH", "3016-3");
    public static readonly Analyte VitaminB12 = Lab("B12", "2132-9");
    public static readonly Analyte Ferritin = Lab("Ferritin", "2276-4");
    public static readonly Analyte Ldl = Lab("LDL", "18262-6", "13457-7", "2089-1");
    public static readonly Analyte Hdl = Lab("HDL", "2085-9");
    public static readonly Analyte Cholesterol = Lab("Cholesterol", "2093-3");
    public static readonly Analyte Triglycerides = Lab("Triglycerides", "2571-8");
    public static readonly Analyte UrineAcr = Lab("Urine ACR", "14959-1", "9318-7");
    public static readonly Analyte Psa = Lab("PSA", "2857-1");

    // ---------------------------------------------------------------- Vital signs
    public static readonly Analyte HeartRate = Vital("HR", "8867-4");
    public static readonly Analyte RespiratoryRate = Vital("RR", "9279-1");
    public static readonly Analyte Temperature = Vital("Temp", "8310-5", "8331-1");
    public static readonly Analyte OxygenSaturation = Vital("SpO₂", "59408-5", "2708-6");
    public static readonly Analyte BloodPressure = Vital("BP", "85354-9", "55284-4");
    public static readonly Analyte Systolic = Vital("Systolic BP", "8480-6");
    public static readonly Analyte Diastolic = Vital("Diastolic BP", "8462-4");
    public static readonly Analyte Weight = Vital("Weight", "29463-7");
    public static readonly Analyte Height = Vital("Height", "8302-2");
    public static readonly Analyte Bmi = Vital("BMI", "39156-5");
    public static readonly Analyte Pain = Vital("Pain score", "72514-3");

    /// <summary>Every analyte, each once.</summary>
    public static readonly IReadOnlyList<Analyte> Analytes =
    [
        Sodium, Potassium, Chloride, Bicarbonate, TotalCo2, Creatinine, Egfr, Urea, Glucose, HbA1c, Haemoglobin, Haematocrit,
        WhiteCells, RedCells, Platelets, Mcv, Crp, Procalcitonin, Lactate, ArterialPh, ArterialPco2, Troponin, NtProBnp, Bnp,
        DDimer, Inr, Magnesium, Calcium, Alt, Ast, Alp, Bilirubin, Albumin, TotalProtein, Tsh, VitaminB12, Ferritin, Ldl, Hdl,
        Cholesterol, Triglycerides, UrineAcr, Psa,
        HeartRate, RespiratoryRate, Temperature, OxygenSaturation, BloodPressure, Systolic, Diastolic, Weight, Height, Bmi, Pain,
    ];

    // ---------------------------------------------------------------- Medicines (RxNorm), grouped for the rows below
    private static readonly string[] Antibiotics =
    [
        "2193" /* ceftriaxone */, "18631" /* azithromycin */, "11124" /* vancomycin */, "3640" /* doxycycline */,
        "311995" /* nitrofurantoin 50 mg capsule */, "7454" /* nitrofurantoin */, "10829" /* trimethoprim */,
        "723" /* amoxicillin */, "19711" /* amoxicillin-clavulanate */, "2582" /* clindamycin */, "2551" /* ciprofloxacin */,
        "308182" /* amoxicillin 250 mg */, "834061" /* penicillin V 250 mg */, "562251" /* amoxicillin/clavulanate 250/125 */,
    ];
    private static readonly string[] IvFluids = ["9863" /* sodium chloride */, "4850" /* glucose (dextrose) */];
    private static readonly string[] Insulins =
        ["253182" /* regular human insulin */, "274783" /* glargine */, "86009" /* lispro */, "5856" /* insulin */, "106892" /* insulin isophane 70/30 */];
    private static readonly string[] Anticoagulants =
        ["1364430" /* apixaban */, "67108" /* enoxaparin */, "5224" /* heparin */, "11289" /* warfarin */, "855332" /* warfarin 5 mg */, "1114195" /* rivaroxaban */];
    private static readonly string[] Statins = ["83367" /* atorvastatin */, "36567" /* simvastatin */, "316672" /* simvastatin 10 mg */, "312961" /* simvastatin 20 mg */, "314231" /* simvastatin 10 mg */];

    private static ProblemKnowledge P(string name, string[] snomed, string[] icd10, Analyte[] analytes, params string[] rxnorm) =>
        new(name, snomed, icd10, analytes, rxnorm);

    /// <summary>Problem → what bears on it. First match by SNOMED CT; ICD-10 prefixes when no SNOMED code matched.</summary>
    public static readonly IReadOnlyList<ProblemKnowledge> Problems =
    [
        P("Sepsis", ["91302008", "10001005", "76571007"], ["A40", "A41", "R652"],
            [Lactate, WhiteCells, Crp, Procalcitonin, Platelets, Creatinine, Temperature, HeartRate, RespiratoryRate, BloodPressure], [.. Antibiotics, .. IvFluids]),
        P("Pneumonia", ["385093006", "233604007", "53084003"], ["J12", "J13", "J14", "J15", "J16", "J17", "J18"],
            [Crp, WhiteCells, OxygenSaturation, RespiratoryRate, Temperature], Antibiotics),
        P("Heart failure", ["10633002", "88805009", "84114007", "42343007", "85232009"], ["I50"],
            [NtProBnp, Bnp, Sodium, OxygenSaturation, RespiratoryRate, Weight],
            "4603" /* furosemide */, "315971" /* furosemide 40 mg */, "1719286" /* furosemide injection */, "19484" /* bisoprolol */,
            "9997" /* spironolactone */, "35296" /* ramipril */, "866414" /* metoprolol succinate 100 mg */, "197604" /* digoxin 0.125 mg */),
        P("Atrial fibrillation", ["49436004", "5370000"], ["I48"], [HeartRate, Inr],
            [.. Anticoagulants, "19484" /* bisoprolol */, "197604" /* digoxin 0.125 mg */, "897718" /* verapamil 40 mg */, "866414" /* metoprolol */]),
        P("Coronary heart disease", ["53741008", "414545008", "22298006", "401303003", "401314000", "194828000"], ["I20", "I21", "I22", "I24", "I25"],
            [Troponin, Ldl], [.. Statins, "1191" /* aspirin */, "309362" /* clopidogrel 75 mg */, "705129" /* nitroglycerin spray */]),
        P("Chronic kidney disease", ["433144002", "709044004", "431855005", "431856006", "433146000", "46177005"], ["N18"],
            [Creatinine, Egfr, Potassium, Urea, Bicarbonate, UrineAcr]),
        P("Acute kidney injury", ["14669001", "140031000119103"], ["N17"],
            [Creatinine, Urea, Potassium, Bicarbonate, Egfr], [.. IvFluids, "29046" /* lisinopril */, "6809" /* metformin */, "7258" /* naproxen */]),
        P("Dehydration", ["34095006"], ["E86"], [Sodium, Urea, HeartRate, BloodPressure], IvFluids),
        P("Hypertension", ["38341003", "59621000", "1201005"], ["I10", "I11", "I12", "I13", "I15"], [BloodPressure],
            "17767" /* amlodipine */, "197361" /* amlodipine 5 mg */, "29046" /* lisinopril */, "314076" /* lisinopril 10 mg */,
            "316049" /* hydrochlorothiazide 25 mg */, "35296" /* ramipril */),
        P("Diabetic ketoacidosis", ["420422005", "421750000"], ["E101", "E111", "E131"],
            [Glucose, Bicarbonate, ArterialPh, Potassium, Lactate], [.. Insulins, .. IvFluids, "8591" /* potassium chloride */]),
        P("Diabetes", ["44054006", "46635009", "73211009", "368581000119106", "127013003", "90781000119102", "157141000119108"], ["E10", "E11", "E13"],
            [HbA1c, Glucose], [.. Insulins, "6809" /* metformin */, "860975" /* metformin 500 mg ER */]),
        P("Prediabetes or hyperglycaemia", ["15777000", "80394007"], ["R7303", "R739"], [HbA1c, Glucose]),
        P("Hyperkalaemia", ["14140009"], ["E875"], [Potassium],
            "253182" /* insulin with dextrose */, "4850" /* dextrose */, "435" /* salbutamol */, "9997" /* spironolactone */,
            "29046" /* lisinopril */, "10829" /* trimethoprim */),
        P("Hypokalaemia", ["43339004"], ["E876"], [Potassium], "8591" /* potassium chloride */),
        P("Hyponatraemia", ["89627008"], ["E871"], [Sodium]),
        P("Delirium", ["2776000"], ["F05"], [Sodium, Calcium, Glucose, Tsh, VitaminB12], "5093" /* haloperidol */),
        P("Urinary tract infection", ["68566005", "38822007", "45816000"], ["N39", "N30", "N10"],
            [WhiteCells, Crp, Temperature], Antibiotics),
        P("Dementia", ["26929004", "52448006", "230265002"], ["G30", "F01", "F02", "F03"], [],
            "997223" /* donepezil 10 mg */, "996740" /* memantine */, "1599803" /* donepezil/memantine */, "998582" /* donepezil 23 mg */),
        P("Hypothyroidism", ["40930008"], ["E03"], [Tsh], "10582" /* levothyroxine */),
        P("Alcohol withdrawal", ["8635005"], ["F10.23", "F1023"], [Magnesium, Potassium, HeartRate, BloodPressure, Temperature],
            "6470" /* lorazepam */, "10454" /* thiamine */, "6585" /* magnesium sulfate */, "8591" /* potassium chloride */),
        P("Alcohol dependence", ["66590003", "7200002"], ["F10"], [Mcv], "10454" /* thiamine */, "4511" /* folic acid */),
        P("Alcohol-related liver disease", ["50325005", "41309000", "19943007"], ["K70", "K74", "K76"],
            [Alt, Ast, Bilirubin, Albumin, Inr, Platelets]),
        P("COPD", ["195951007", "13645005", "185086009", "87433001"], ["J43", "J44"],
            [OxygenSaturation, RespiratoryRate, ArterialPh, ArterialPco2, WhiteCells, Crp],
            "8640" /* prednisone */, "435" /* salbutamol */, "7213" /* ipratropium */, "3640" /* doxycycline */, "69120" /* tiotropium */,
            "896209" /* fluticasone/salmeterol */, "745679" /* salbutamol inhaler */),
        P("Asthma", ["195967001", "233678006"], ["J45"], [],
            "745679" /* salbutamol inhaler */, "895994" /* fluticasone inhaler */, "896209" /* fluticasone/salmeterol */, "435" /* salbutamol */),
        P("Upper gastrointestinal bleeding", ["37372002", "51868009", "74474003"], ["K920", "K921", "K922", "K25", "K26", "K27", "K28"],
            [Haemoglobin, Urea, Platelets, Inr, HeartRate, BloodPressure],
            "40790" /* pantoprazole */, "1364430" /* apixaban (held) */, "7258" /* naproxen (stopped) */),
        P("Stroke", ["422504002", "230690007", "432504007"], ["I63", "I64"], [BloodPressure, Glucose, Ldl],
            [.. Statins, "1191" /* aspirin */, "309362" /* clopidogrel */, "17767" /* amlodipine (withheld) */]),
        P("Cellulitis", ["128045006", "44132006"], ["L03"], [WhiteCells, Crp, Temperature], Antibiotics),
        P("Deep vein thrombosis", ["128053003", "132281000119108"], ["I824"], [DDimer], Anticoagulants),
        P("Pulmonary embolism", ["59282003", "706870000"], ["I26"],
            [OxygenSaturation, HeartRate, RespiratoryRate, DDimer, Troponin, NtProBnp], Anticoagulants),
        P("Anaemia", ["271737000", "87522002", "234347009"], ["D50", "D51", "D52", "D53", "D62", "D63", "D64"],
            [Haemoglobin, Mcv, Ferritin, VitaminB12], "310325" /* ferrous sulfate */, "2001499" /* vitamin B12 injection */),
        P("Hyperlipidaemia", ["55822004", "302870006", "13644009"], ["E78"], [Ldl, Cholesterol, Hdl, Triglycerides], Statins),
        P("Metabolic syndrome", ["237602007"], ["E8881"], [Glucose, Triglycerides, Hdl, BloodPressure, Bmi]),
        P("Obesity", ["162864005", "414916001", "408512008"], ["E66"], [Bmi, Weight]),
        P("Osteoporosis", ["64859006", "443165006"], ["M80", "M81"], [Calcium], "904419" /* alendronic acid */),
        P("Epilepsy", ["84757009", "128613002"], ["G40"], [], "308971" /* carbamazepine */),
        P("Prostate neoplasm", ["126906006", "92691004"], ["C61", "D075"], [Psa], "752899" /* leuprolide */),
    ];

    private static readonly Dictionary<string, Analyte> ByLoinc =
        Analytes.SelectMany(a => a.Loinc.Select(code => (code, a))).ToDictionary(x => x.code, x => x.a, StringComparer.Ordinal);

    /// <summary>The analyte a LOINC code measures, or null.</summary>
    public static Analyte? AnalyteOf(string? loinc) => loinc is not null && ByLoinc.TryGetValue(loinc.Trim(), out var a) ? a : null;

    /// <summary>The short name of a result ("CRP") by its LOINC code, else its own display.</summary>
    public static string NameOf(ContextObservation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        return AnalyteOf(observation.Loinc)?.Name ?? observation.Display;
    }

    /// <summary>The problem kinds a condition is, by its codes (SNOMED CT first, then ICD-10 prefixes); none when unknown.</summary>
    public static IReadOnlyList<ProblemKnowledge> ProblemsOf(ContextCondition condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (condition.Snomed is { Length: > 0 } snomed)
        {
            var bySnomed = Problems.Where(p => p.Snomed.Contains(snomed.Trim(), StringComparer.Ordinal)).ToList();
            if (bySnomed.Count > 0) return bySnomed;
        }
        if (condition.Icd10 is { Length: > 0 } icd)
        {
            var code = icd.Replace(".", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
            return [.. Problems.Where(p => p.Icd10.Any(prefix => code.StartsWith(prefix.Replace(".", "", StringComparison.Ordinal), StringComparison.Ordinal)))];
        }
        return [];
    }

    /// <summary>The analytes that bear on a condition, most telling first, each once.</summary>
    public static IReadOnlyList<Analyte> AnalytesFor(ContextCondition condition) =>
        [.. ProblemsOf(condition).SelectMany(p => p.Analytes).Distinct()];

    /// <summary>True when the observation is declared relevant to the condition.</summary>
    public static bool IsRelevant(ContextCondition condition, ContextObservation observation) =>
        AnalytesFor(condition).Any(a => a.Measures(observation));

    /// <summary>True when the medication (by RxNorm code) is declared relevant to the condition.</summary>
    public static bool IsRelevant(ContextCondition condition, ContextMedication medication)
    {
        ArgumentNullException.ThrowIfNull(medication);
        return medication.RxNorm is { Length: > 0 } code
               && ProblemsOf(condition).Any(p => p.RxNorm.Contains(code.Trim(), StringComparer.Ordinal));
    }
}

namespace ClinicalAssist.Web.Features.DemoData;

/// <summary>The medical-ward stories behind the demo patients. Codes are real SNOMED CT, ICD-10-CM, LOINC and
/// RxNorm codes; people, places and notes are fictional.</summary>
internal static class DemoScenarios
{
    /// <summary>Index of the scenario whose admission note carries the prompt-injection attempt (first occurrence only).</summary>
    public const int InjectionScenarioIndex = 1;

    // Comorbidities shared by several stories.
    private static readonly ConditionSpec Hypertension = new(ConditionRole.Comorbidity, "Hypertension", "38341003", "Hypertensive disorder, systemic arterial (disorder)", "I10", "Essential (primary) hypertension", OnsetYearsAgo: 12);
    private static readonly ConditionSpec Type2Diabetes = new(ConditionRole.Comorbidity, "Type 2 diabetes mellitus", "44054006", "Diabetes mellitus type 2 (disorder)", "E11.9", "Type 2 diabetes mellitus without complications", OnsetYearsAgo: 9);
    private static readonly ConditionSpec Hyperlipidemia = new(ConditionRole.Comorbidity, "Hyperlipidaemia", "55822004", "Hyperlipidemia (disorder)", "E78.5", "Hyperlipidemia, unspecified", OnsetYearsAgo: 8);
    private static readonly ConditionSpec AtrialFibrillation = new(ConditionRole.Comorbidity, "Atrial fibrillation", "49436004", "Atrial fibrillation (disorder)", "I48.91", "Unspecified atrial fibrillation", OnsetYearsAgo: 4);
    private static readonly ConditionSpec Ckd3 = new(ConditionRole.Comorbidity, "Chronic kidney disease stage 3", "433144002", "Chronic kidney disease stage 3 (disorder)", "N18.30", "Chronic kidney disease, stage 3 unspecified", OnsetYearsAgo: 5);
    private static readonly ConditionSpec Osteoporosis = new(ConditionRole.Comorbidity, "Osteoporosis", "64859006", "Osteoporosis (disorder)", "M81.0", "Age-related osteoporosis without current pathological fracture", OnsetYearsAgo: 6);
    private static readonly ConditionSpec Hypothyroidism = new(ConditionRole.Comorbidity, "Hypothyroidism", "40930008", "Hypothyroidism (disorder)", "E03.9", "Hypothyroidism, unspecified", OnsetYearsAgo: 11);
    private static readonly ConditionSpec Smoker = new(ConditionRole.Comorbidity, "Current smoker", "449868002", "Smokes tobacco daily (finding)", "F17.210", "Nicotine dependence, cigarettes, uncomplicated", OnsetYearsAgo: 30);
    private static readonly ConditionSpec Depression = new(ConditionRole.Comorbidity, "Depression", "35489007", "Depressive disorder (disorder)", "F32.A", "Depression, unspecified", OnsetYearsAgo: 6);
    private static readonly ConditionSpec Obesity = new(ConditionRole.Comorbidity, "Obesity", "414916001", "Obesity (disorder)", "E66.9", "Obesity, unspecified", OnsetYearsAgo: 10);

    private static readonly AllergySpec PenicillinAnaphylaxis = new("Penicillin", CodeSystems.Snomed, "91936005", "Allergy to penicillin (finding)", "medication", "high", "39579001", "Anaphylaxis (disorder)");
    private static readonly AllergySpec PenicillinUrticaria = new("Penicillin", CodeSystems.Snomed, "91936005", "Allergy to penicillin (finding)", "medication", "low", "126485001", "Urticaria (disorder)");
    private static readonly AllergySpec CodeineNausea = new("Codeine", CodeSystems.RxNorm, "2670", "codeine", "medication", "low", "422587007", "Nausea (finding)", "intolerance");
    private static readonly AllergySpec Latex = new("Latex", CodeSystems.Snomed, "300916003", "Latex allergy (disorder)", "environment", "low", "40275004", "Contact dermatitis (disorder)");
    private static readonly AllergySpec Peanut = new("Peanut", CodeSystems.Snomed, "91935009", "Allergy to peanuts (finding)", "food", "high", "39579001", "Anaphylaxis (disorder)");

    private static readonly MedicationSpec Paracetamol = new("Acetaminophen (paracetamol)", "161", "acetaminophen", "1 g PO every 6 hours as needed for pain or fever (max 4 g/day)");
    private static readonly MedicationSpec EnoxaparinProphylaxis = new("Enoxaparin", "67108", "enoxaparin", "40 mg subcut once daily (VTE prophylaxis)");

    public static readonly IReadOnlyList<Scenario> All =
    [
        new Scenario(
            "sepsis-cap", "Sepsis secondary to community-acquired pneumonia", 58, 86, DemoSex.Any,
            [
                new(ConditionRole.Admission, "Sepsis secondary to community-acquired pneumonia", "91302008", "Sepsis (disorder)", "A41.9", "Sepsis, unspecified organism"),
                new(ConditionRole.Encounter, "Community-acquired pneumonia, right lower lobe", "385093006", "Community acquired pneumonia (disorder)", "J18.9", "Pneumonia, unspecified organism"),
                Type2Diabetes, Hypertension, Hyperlipidemia,
            ],
            [
                new(Labs.Lactate, LabSchedule.TwiceDaily, 4.6m, 2.8m, 1.6m, 1.1m),
                new(Labs.Wbc, LabSchedule.Daily, 18.4m, 16.1m, 12.3m, 9.8m),
                new(Labs.Crp, LabSchedule.Daily, 245, 198, 121, 64),
                new(Labs.Procalcitonin, LabSchedule.Once, 8.2m),
                new(Labs.Creatinine, LabSchedule.Daily, 1.62m, 1.41m, 1.12m, 0.98m),
                new(Labs.Urea, LabSchedule.Daily, 34, 28, 21, 17),
                new(Labs.Glucose, LabSchedule.Daily, 212, 178, 156, 142),
                new(Labs.Sodium, LabSchedule.Daily, 133, 135, 137, 138),
                new(Labs.Platelets, LabSchedule.Daily, 142, 128, 156, 198),
            ],
            new VitalTrends([124, 108, 96, 86], [28, 24, 20, 18], [39.2m, 38.4m, 37.6m, 37.1m], [89, 93, 95, 96], [88, 102, 114, 122], [52, 60, 68, 72]),
            [
                new("Ceftriaxone", "2193", "ceftriaxone", "2 g IV once daily"),
                new("Azithromycin", "18631", "azithromycin", "500 mg IV once daily for 3 days", MedStatus.Completed, "Three-day course completed"),
                new("Sodium chloride 0.9%", "9863", "sodium chloride", "30 mL/kg IV crystalloid resuscitation over 3 hours", MedStatus.Completed, "Resuscitation complete, lactate cleared"),
                new("Metformin", "6809", "metformin", "500 mg PO twice daily (home medication)", MedStatus.Stopped, "Held: sepsis with raised lactate and acute kidney injury"),
                Paracetamol,
                EnoxaparinProphylaxis,
            ],
            [],
            """
            ADMISSION NOTE - Acute Medicine
            {title} {last}, {age}-year-old {sex}. Presenting complaint: 3 days of productive cough, fevers and rigors, increasing breathlessness.
            On arrival: HR {vs0:HR}, RR {vs0:RR}, T {vs0:Temp}, SpO2 {vs0:SpO2} on room air, BP {vs0:BP}. Confused to time only.
            Examination: bronchial breathing and coarse crackles right base. Warm peripheries.
            Investigations: lactate {lab0:Lac}, WBC {lab0:WBC}, CRP {lab0:CRP}, procalcitonin {lab0:PCT}, creatinine {lab0:Cr} (baseline 0.9), glucose {lab0:Glu}.
            CXR: right lower lobe consolidation. CURB-65 score 3.
            Impression: sepsis secondary to community-acquired pneumonia with acute kidney injury.
            Plan: Sepsis Six completed within the hour - blood cultures, IV ceftriaxone and azithromycin, 30 mL/kg crystalloid, oxygen to target 94-98%, hourly urine output. Hold metformin. Repeat lactate in 4-6 hours. Enoxaparin prophylaxis.
            Escalation: for full escalation; discussed with critical care outreach, ward-based care for now.
            """,
            [
                """
                WARD ROUND - Day {day}
                {title} {last} feels better, less breathless, eating a little. Overnight: temperature settling.
                Obs: HR {vs:HR}, RR {vs:RR}, T {vs:Temp}, SpO2 {vs:SpO2} on 2 L nasal cannula, BP {vs:BP}.
                Bloods: lactate {lab:Lac} (from {lab0:Lac} on admission), WBC {lab:WBC}, CRP {lab:CRP}, creatinine {lab:Cr}.
                Blood cultures: no growth at 24 hours. Urinary pneumococcal antigen positive.
                Plan: continue ceftriaxone; azithromycin for 3 days total. Wean oxygen. Metformin remains on hold until renal function back to baseline.
                """,
                """
                WARD ROUND - Day {day}
                Clinically improving. Afebrile for 24 hours, mobilising with physiotherapy.
                Obs: HR {vs:HR}, RR {vs:RR}, T {vs:Temp}, SpO2 {vs:SpO2} on room air, BP {vs:BP}.
                Bloods: WBC {lab:WBC}, CRP {lab:CRP}, creatinine {lab:Cr}, lactate {lab:Lac}.
                Plan: consider IV-to-oral antibiotic switch (amoxicillin-clavulanate) if afebrile a further 24 hours. Restart metformin once eating normally and creatinine stable. Begin discharge planning.
                """,
            ]),

        new Scenario(
            "hf-exacerbation", "Acute on chronic heart failure with reduced ejection fraction", 66, 90, DemoSex.Male,
            [
                new(ConditionRole.Admission, "Acute on chronic heart failure with reduced ejection fraction", "10633002", "Acute congestive heart failure (disorder)", "I50.23", "Acute on chronic systolic (congestive) heart failure"),
                AtrialFibrillation,
                new(ConditionRole.Comorbidity, "Ischaemic heart disease", "53741008", "Coronary arteriosclerosis (disorder)", "I25.10", "Atherosclerotic heart disease of native coronary artery without angina pectoris", OnsetYearsAgo: 7),
                Ckd3,
                Hypertension,
            ],
            [
                new(Labs.NtProBnp, LabSchedule.Once, 8450),
                new(Labs.TroponinI, LabSchedule.Once, 0.06m),
                new(Labs.Sodium, LabSchedule.Daily, 131, 132, 134, 135),
                new(Labs.Potassium, LabSchedule.Daily, 4.9m, 4.3m, 3.9m, 4.1m),
                new(Labs.Creatinine, LabSchedule.Daily, 1.72m, 1.94m, 1.81m, 1.63m),
                new(Labs.Urea, LabSchedule.Daily, 38, 44, 41, 36),
                new(Labs.Hemoglobin, LabSchedule.Daily, 11.9m),
                new(Labs.Magnesium, LabSchedule.Daily, 1.9m, 1.7m, 1.8m),
            ],
            new VitalTrends([112, 98, 88, 82], [26, 22, 20, 18], [36.8m], [88, 92, 94, 95], [148, 136, 128, 124], [88, 80, 76, 72]),
            [
                new("Furosemide", "4603", "furosemide", "80 mg IV twice daily; daily weights, strict fluid balance, 1.5 L fluid restriction"),
                new("Bisoprolol", "19484", "bisoprolol", "2.5 mg PO once daily"),
                new("Apixaban", "1364430", "apixaban", "5 mg PO twice daily"),
                new("Spironolactone", "9997", "spironolactone", "25 mg PO once daily"),
                new("Ramipril", "35296", "ramipril", "5 mg PO once daily (home medication)", MedStatus.Stopped, "Held: creatinine rise during IV diuresis"),
                new("Atorvastatin", "83367", "atorvastatin", "40 mg PO at night"),
            ],
            [],
            """
            ADMISSION NOTE - Acute Medicine
            {title} {last}, {age}-year-old {sex} with known HFrEF (LVEF 30% on echo last year), AF and ischaemic heart disease.
            Presenting complaint: 1 week of worsening breathlessness, orthopnoea (3 pillows), PND and ankle swelling to the knees. Weight up 5 kg.
            On arrival: HR {vs0:HR} irregularly irregular, RR {vs0:RR}, SpO2 {vs0:SpO2} on room air, BP {vs0:BP}, afebrile.
            Examination: JVP raised to the earlobes, bibasal crackles to mid-zones, pitting oedema to the knees.
            Investigations: NT-proBNP {lab0:NTproBNP}, troponin I {lab0:TnI} (flat on repeat, type 2 pattern), Na {lab0:Na}, K {lab0:K}, creatinine {lab0:Cr} (baseline 1.5).
            CXR: cardiomegaly, upper lobe diversion, bilateral small effusions. ECG: AF with fast ventricular response, no acute ischaemic change.
            Social: lives with wife; independent with a stick. {collateral}
            Impression: acute on chronic HFrEF, likely precipitated by dietary salt and missed doses.
            Plan: IV furosemide 80 mg twice daily, fluid restriction, daily weights, U&E daily. Continue bisoprolol and apixaban. Hold ramipril while diuresing; review once creatinine stable.
            """,
            [
                """
                WARD ROUND - Day {day}
                {title} {last} slept flat with 2 pillows. Diuresing well: net negative 2.1 L, weight down 1.4 kg.
                Obs: HR {vs:HR}, RR {vs:RR}, SpO2 {vs:SpO2} on 2 L, BP {vs:BP}.
                Bloods: creatinine {lab:Cr} (expected rise with diuresis), K {lab:K}, Na {lab:Na}, Mg {lab:Mg}.
                Plan: continue IV furosemide, accept creatinine rise up to 30% above baseline. Ramipril remains on hold. Heart failure nurse review requested.
                """,
                """
                WARD ROUND - Day {day}
                Much improved; oedema now to mid-shin, crackles only at the bases. Weight down 3.2 kg in total.
                Obs: HR {vs:HR}, RR {vs:RR}, SpO2 {vs:SpO2} on room air, BP {vs:BP}.
                Bloods: creatinine {lab:Cr} (peak {labmax:Cr} during diuresis, admission {lab0:Cr}), K {lab:K}, Na {lab:Na}.
                Plan: switch to oral furosemide 80 mg once daily tomorrow if weight continues to fall. Restart ramipril at 2.5 mg once creatinine stable for 48 hours. Consider SGLT2 inhibitor at discharge.
                """,
            ]),

        new Scenario(
            "dka", "Diabetic ketoacidosis", 25, 42, DemoSex.Any,
            [
                new(ConditionRole.Admission, "Diabetic ketoacidosis", "420422005", "Ketoacidosis due to diabetes mellitus (disorder)", "E10.10", "Type 1 diabetes mellitus with ketoacidosis without coma"),
                new(ConditionRole.Comorbidity, "Type 1 diabetes mellitus", "46635009", "Diabetes mellitus type 1 (disorder)", "E10.9", "Type 1 diabetes mellitus without complications", OnsetYearsAgo: 14),
                Hypothyroidism with { OnsetYearsAgo = 5 },
                Depression,
            ],
            [
                new(Labs.Glucose, LabSchedule.TwiceDaily, 548, 310, 214, 168, 142),
                new(Labs.Bicarbonate, LabSchedule.TwiceDaily, 8, 12, 17, 21, 24),
                new(Labs.ArterialPh, LabSchedule.TwiceDaily, 7.08m, 7.21m, 7.31m, 7.38m, 7.40m),
                new(Labs.Potassium, LabSchedule.TwiceDaily, 5.8m, 4.2m, 3.4m, 3.9m, 4.2m),
                new(Labs.Sodium, LabSchedule.Daily, 131, 134, 137, 138),
                new(Labs.Creatinine, LabSchedule.Daily, 1.48m, 1.19m, 0.92m, 0.84m),
                new(Labs.Urea, LabSchedule.Daily, 28, 22, 15, 12),
                new(Labs.Wbc, LabSchedule.Daily, 16.2m, 12.4m, 9.1m, 7.8m),
                new(Labs.Lactate, LabSchedule.Once, 2.6m),
                new(Labs.HbA1c, LabSchedule.Once, 11.2m),
            ],
            new VitalTrends([122, 106, 92, 84], [30, 24, 18, 16], [37.2m, 36.9m], [98], [102, 112, 118, 120], [60, 68, 72, 74]),
            [
                new("Insulin regular (human) infusion", "253182", "insulin regular, human", "Fixed-rate IV insulin infusion 0.1 units/kg/h per DKA protocol", MedStatus.Completed, "DKA resolved; converted to subcutaneous basal-bolus regimen"),
                new("Sodium chloride 0.9%", "9863", "sodium chloride", "IV fluids per DKA protocol", MedStatus.Completed, "DKA resolved, eating and drinking"),
                new("Potassium chloride", "8591", "potassium chloride", "40 mmol per litre added to IV fluids per protocol when K < 5.5", MedStatus.Completed, "IV fluids stopped"),
                new("Insulin glargine", "274783", "insulin glargine", "20 units subcut once daily at 21:00 (continued throughout)"),
                new("Insulin lispro", "86009", "insulin lispro", "Subcut with meals, 1 unit per 10 g carbohydrate plus correction scale"),
                new("Levothyroxine", "10582", "levothyroxine", "75 micrograms PO once daily"),
                EnoxaparinProphylaxis,
            ],
            [Peanut],
            """
            ADMISSION NOTE - Acute Medicine
            {title} {last}, {age}-year-old {sex} with type 1 diabetes since adolescence. Presenting complaint: 2 days of vomiting, abdominal pain and polyuria after a viral illness; reduced insulin doses because not eating.
            On arrival: HR {vs0:HR}, RR {vs0:RR} (Kussmaul breathing), T {vs0:Temp}, BP {vs0:BP}. Dry mucous membranes, ketotic breath. GCS 15.
            Investigations: glucose {lab0:Glu}, pH {lab0:pH}, bicarbonate {lab0:HCO3}, capillary ketones 5.8 mmol/L, K {lab0:K}, creatinine {lab0:Cr}, WBC {lab0:WBC}, lactate {lab0:Lac}. HbA1c {lab0:HbA1c}.
            Impression: severe diabetic ketoacidosis precipitated by intercurrent illness and insulin omission.
            Plan: DKA protocol - fixed-rate IV insulin 0.1 units/kg/h, continue long-acting glargine, 0.9% saline with potassium replacement per protocol, hourly capillary glucose and ketones, VBG at 2, 4 and 6 hours. Strict fluid balance. Diabetes specialist nurse referral. Severe peanut allergy noted.
            """,
            [
                """
                WARD ROUND - Day {day}
                DKA resolved overnight (ketones below 0.6 mmol/L, pH {lab:pH}, bicarbonate {lab:HCO3}). Eating breakfast.
                Obs: HR {vs:HR}, RR {vs:RR}, BP {vs:BP}, T {vs:Temp}.
                Bloods: glucose {lab:Glu}, K {lab:K} (fell with insulin - replaced), Na {lab:Na}, creatinine {lab:Cr}.
                Plan: stop fixed-rate insulin 30-60 minutes after first subcutaneous mealtime dose. Basal-bolus regimen with carbohydrate counting. Sick day rules education by DSN.
                """,
                """
                WARD ROUND - Day {day}
                Well, tolerating diet, capillary glucose 110-190 mg/dL on basal-bolus insulin.
                Bloods: K {lab:K}, bicarbonate {lab:HCO3}, creatinine {lab:Cr}.
                Plan: likely discharge today after DSN review; outpatient diabetes clinic in 2 weeks given HbA1c {lab0:HbA1c}. Ensure blood ketone meter and sick day rules leaflet supplied.
                """,
            ]),

        new Scenario(
            "aki-ckd", "Acute kidney injury on chronic kidney disease stage 3", 66, 88, DemoSex.Any,
            [
                new(ConditionRole.Admission, "Acute kidney injury on CKD stage 3 (pre-renal)", "14669001", "Acute kidney injury (disorder)", "N17.9", "Acute kidney failure, unspecified"),
                new(ConditionRole.Encounter, "Dehydration secondary to gastroenteritis", "34095006", "Dehydration (disorder)", "E86.0", "Dehydration"),
                Ckd3,
                Type2Diabetes,
                Hypertension,
                new(ConditionRole.Comorbidity, "Osteoarthritis of knee", "239873007", "Osteoarthritis of knee (disorder)", "M17.9", "Osteoarthritis of knee, unspecified", OnsetYearsAgo: 8),
            ],
            [
                new(Labs.Creatinine, LabSchedule.Daily, 3.12m, 3.58m, 2.91m, 2.24m, 1.92m),
                new(Labs.Urea, LabSchedule.Daily, 62, 70, 54, 40, 33),
                new(Labs.Potassium, LabSchedule.TwiceDaily, 5.6m, 5.4m, 4.9m, 4.5m),
                new(Labs.Sodium, LabSchedule.Daily, 134, 135, 137, 138),
                new(Labs.Bicarbonate, LabSchedule.Daily, 18, 19, 21, 23),
                new(Labs.Glucose, LabSchedule.Daily, 168, 142, 131),
                new(Labs.Hemoglobin, LabSchedule.Daily, 12.1m, 11.6m, 11.4m),
                new(Labs.Crp, LabSchedule.Daily, 18, 14, 9),
            ],
            new VitalTrends([102, 94, 86, 80], [20, 18, 16, 16], [37.4m, 37.0m, 36.8m], [96], [104, 112, 126, 132], [62, 68, 74, 76]),
            [
                new("Sodium chloride 0.9%", "9863", "sodium chloride", "1 L IV over 8 hours; review fluid balance each ward round"),
                new("Lisinopril", "29046", "lisinopril", "20 mg PO once daily (home medication)", MedStatus.Stopped, "Held: acute kidney injury (sick day rules)"),
                new("Metformin", "6809", "metformin", "1 g PO twice daily (home medication)", MedStatus.Stopped, "Held: acute kidney injury"),
                new("Naproxen", "7258", "naproxen", "500 mg PO twice daily (over the counter for knee pain)", MedStatus.Stopped, "Stopped: NSAID, nephrotoxic"),
                new("Amlodipine", "17767", "amlodipine", "5 mg PO once daily"),
                new("Heparin", "5224", "heparin", "5000 units subcut every 12 hours (VTE prophylaxis; enoxaparin avoided given renal function)"),
                Paracetamol,
            ],
            [PenicillinUrticaria],
            """
            ADMISSION NOTE - Acute Medicine
            {title} {last}, {age}-year-old {sex} with CKD stage 3 (baseline creatinine 1.6 mg/dL), type 2 diabetes and hypertension.
            Presenting complaint: 4 days of diarrhoea and vomiting, poor oral intake, dizzy on standing. Has continued lisinopril and metformin, and has been taking over-the-counter naproxen for knee pain.
            On arrival: HR {vs0:HR}, BP {vs0:BP} (postural drop 22 mmHg), T {vs0:Temp}, SpO2 {vs0:SpO2}. Dry mucous membranes, reduced skin turgor.
            Investigations: creatinine {lab0:Cr}, urea nitrogen {lab0:BUN}, K {lab0:K}, bicarbonate {lab0:HCO3}, Na {lab0:Na}. Urinalysis: no blood or protein. Renal ultrasound requested.
            Impression: AKI stage 2 on CKD 3, pre-renal from gastroenteritis with ACE inhibitor, metformin and NSAID ("triple whammy" risk).
            Plan: IV 0.9% saline, strict input/output, catheter not needed at present. Hold lisinopril and metformin; stop naproxen permanently. Twice-daily potassium. Stool culture sent. Penicillin allergy (urticaria) noted.
            """,
            [
                """
                WARD ROUND - Day {day}
                Diarrhoea settling, drinking better. Urine output 0.4 mL/kg/h overnight.
                Obs: HR {vs:HR}, BP {vs:BP}, T {vs:Temp}.
                Bloods: creatinine {lab:Cr} (from {lab0:Cr} on admission), urea nitrogen {lab:BUN}, K {lab:K}, bicarbonate {lab:HCO3}.
                Renal ultrasound: normal-sized kidneys, no hydronephrosis.
                Plan: continue IV fluids, daily weights. Lisinopril, metformin and naproxen remain off. Stool culture pending.
                """,
                """
                WARD ROUND - Day {day}
                Feels much better, eating and drinking normally. Diarrhoea resolved.
                Obs: HR {vs:HR}, BP {vs:BP}.
                Bloods: creatinine {lab:Cr} (peak {labmax:Cr}, baseline 1.6), K {lab:K}, Na {lab:Na}.
                Plan: stop IV fluids. Restart metformin when creatinine within 20% of baseline; restart lisinopril at GP review in 1 week with repeat U&E. Sick day rules leaflet given. Naproxen added to medication record as avoid.
                """,
            ]),

        new Scenario(
            "copd-exacerbation", "Infective exacerbation of COPD", 58, 84, DemoSex.Any,
            [
                new(ConditionRole.Admission, "Infective exacerbation of COPD", "195951007", "Acute exacerbation of chronic obstructive airways disease (disorder)", "J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation"),
                Smoker,
                Hypertension,
                Osteoporosis,
                new(ConditionRole.Comorbidity, "Anxiety", "197480006", "Anxiety disorder (disorder)", "F41.9", "Anxiety disorder, unspecified", OnsetYearsAgo: 10),
            ],
            [
                new(Labs.Wbc, LabSchedule.Daily, 13.8m, 12.1m, 10.2m, 9.0m),
                new(Labs.Crp, LabSchedule.Daily, 68, 52, 30, 18),
                new(Labs.ArterialPh, LabSchedule.Daily, 7.31m, 7.36m, 7.40m),
                new(Labs.ArterialPco2, LabSchedule.Daily, 58, 52, 47),
                new(Labs.Glucose, LabSchedule.Daily, 118, 168, 184, 152),
                new(Labs.Potassium, LabSchedule.Daily, 4.1m, 3.6m, 3.4m, 3.8m),
            ],
            new VitalTrends([108, 100, 94, 88], [28, 24, 22, 20], [37.9m, 37.4m, 37.0m], [86, 88, 90, 91], [142, 136, 132], [84, 80, 78]),
            [
                new("Prednisone", "8640", "prednisone", "40 mg PO once daily with breakfast for 5 days"),
                new("Albuterol (salbutamol)", "435", "albuterol", "2.5 mg nebulised every 4 hours and as needed (air-driven)"),
                new("Ipratropium", "7213", "ipratropium", "500 micrograms nebulised every 6 hours"),
                new("Doxycycline", "3640", "doxycycline", "200 mg PO on day 1, then 100 mg once daily to complete 5 days"),
                new("Tiotropium", "69120", "tiotropium", "18 micrograms inhaled once daily (home inhaler)", MedStatus.Stopped, "Paused while on regular nebulised ipratropium"),
                new("Nicotine", "7407", "nicotine", "21 mg/24 h transdermal patch once daily"),
            ],
            [PenicillinAnaphylaxis],
            """
            ADMISSION NOTE - Acute Medicine
            {title} {last}, {age}-year-old {sex} with COPD (FEV1 42% predicted, two exacerbations this year), current smoker 40 pack-years.
            Presenting complaint: 4 days of increased breathlessness, wheeze and purulent green sputum.
            On arrival: RR {vs0:RR}, SpO2 {vs0:SpO2} on room air, HR {vs0:HR}, T {vs0:Temp}, BP {vs0:BP}. Speaking in short sentences, widespread expiratory wheeze.
            ABG on air: pH {lab0:pH}, pCO2 {lab0:pCO2} - acute on chronic hypercapnic respiratory acidosis. WBC {lab0:WBC}, CRP {lab0:CRP}.
            CXR: hyperexpanded, no consolidation or pneumothorax.
            Impression: infective exacerbation of COPD with type 2 respiratory failure, not meeting NIV threshold after initial nebulisers.
            Plan: controlled oxygen via 28% Venturi to target SpO2 88-92%, air-driven nebulisers, prednisone 40 mg for 5 days, doxycycline (ANAPHYLAXIS to penicillin - no penicillins or co-amoxiclav). Repeat ABG in 1 hour. Nicotine replacement offered and accepted.
            """,
            [
                """
                WARD ROUND - Day {day}
                Less breathless, sputum now lighter in colour. Repeat ABG pH {lab:pH}, pCO2 {lab:pCO2} - acidosis corrected, NIV not required.
                Obs: RR {vs:RR}, SpO2 {vs:SpO2} on 24% Venturi (target 88-92%), HR {vs:HR}, T {vs:Temp}.
                Bloods: WBC {lab:WBC}, CRP {lab:CRP}, glucose {lab:Glu} (steroid effect), K {lab:K} (beta-agonist effect, monitor).
                Plan: continue prednisone and doxycycline, reduce nebulisers to four times daily. Inhaler technique review. Pulmonary rehabilitation referral.
                """,
                """
                WARD ROUND - Day {day}
                Walking to the bathroom without stopping. Sputum clear.
                Obs: RR {vs:RR}, SpO2 {vs:SpO2} on room air, HR {vs:HR}.
                Bloods: CRP {lab:CRP}, K {lab:K}, glucose {lab:Glu}.
                Plan: switch back to home inhalers (restart tiotropium), complete steroid course at home. Smoking cessation follow-up arranged. Discharge once ambulatory oximetry satisfactory.
                """,
            ]),

        new Scenario(
            "upper-gi-bleed", "Upper gastrointestinal haemorrhage from duodenal ulcer", 52, 85, DemoSex.Any,
            [
                new(ConditionRole.Admission, "Upper gastrointestinal haemorrhage", "37372002", "Upper gastrointestinal hemorrhage (disorder)", "K92.2", "Gastrointestinal hemorrhage, unspecified"),
                new(ConditionRole.Encounter, "Bleeding duodenal ulcer (Forrest IIa), treated endoscopically", "51868009", "Ulcer of duodenum (disorder)", "K26.4", "Chronic or unspecified duodenal ulcer with hemorrhage"),
                AtrialFibrillation,
                new(ConditionRole.Comorbidity, "Osteoarthritis", "396275006", "Osteoarthritis (disorder)", "M19.90", "Unspecified osteoarthritis, unspecified site", OnsetYearsAgo: 9),
                Hypertension,
            ],
            [
                new(Labs.Hemoglobin, LabSchedule.TwiceDaily, 9.8m, 8.1m, 7.4m, 8.6m, 9.0m, 9.1m),
                new(Labs.Urea, LabSchedule.Daily, 48, 42, 30, 22, 18),
                new(Labs.Creatinine, LabSchedule.Daily, 1.08m, 0.98m, 0.92m),
                new(Labs.Inr, LabSchedule.Once, 1.3m),
                new(Labs.Mcv, LabSchedule.Once, 86),
                new(Labs.Platelets, LabSchedule.Daily, 214, 188, 196),
            ],
            new VitalTrends([112, 98, 90, 84, 80], [20, 18, 16], [36.7m], [97], [96, 108, 118, 124], [58, 64, 70, 74]),
            [
                new("Pantoprazole", "40790", "pantoprazole", "80 mg IV bolus then 8 mg/h infusion for 72 hours post-endoscopy"),
                new("Apixaban", "1364430", "apixaban", "5 mg PO twice daily (home medication)", MedStatus.Stopped, "Held: active gastrointestinal bleeding"),
                new("Naproxen", "7258", "naproxen", "500 mg PO twice daily (home medication)", MedStatus.Stopped, "Stopped: NSAID, bleeding peptic ulcer"),
                new("Bisoprolol", "19484", "bisoprolol", "2.5 mg PO once daily (home medication)", MedStatus.Stopped, "Held: hypotension on admission"),
                new("Ondansetron", "26225", "ondansetron", "4 mg IV every 8 hours as needed for nausea"),
            ],
            [],
            """
            ADMISSION NOTE - Acute Medicine
            {title} {last}, {age}-year-old {sex}. Presenting complaint: two episodes of coffee-ground vomiting and black tarry stools since yesterday, presyncope. Takes apixaban for AF and naproxen for arthritis.
            On arrival: HR {vs0:HR}, BP {vs0:BP}, RR {vs0:RR}, SpO2 {vs0:SpO2}. Pale, cool peripheries. Melaena on PR.
            Investigations: Hb {lab0:Hb} (baseline 13.4 six months ago), urea nitrogen {lab0:BUN}, creatinine {lab0:Cr}, INR {lab0:INR}, platelets {lab0:Plt}. Group and crossmatch 4 units.
            Glasgow-Blatchford score 12.
            Impression: upper GI bleed, likely peptic ulcer on NSAID and anticoagulant.
            Plan: two large-bore cannulae, crystalloid then restrictive transfusion (target Hb above 7 g/dL; above 8 if cardiac symptoms). Hold apixaban and bisoprolol, stop naproxen. IV pantoprazole after endoscopy. Urgent OGD within 24 hours - discussed with on-call endoscopist. Nil by mouth.
            """,
            [
                """
                WARD ROUND - Day {day}
                OGD: 12 mm duodenal bulb ulcer with non-bleeding visible vessel (Forrest IIa), treated with adrenaline injection and clips. Biopsy for H. pylori.
                Transfused 2 units red cells overnight. No further melaena.
                Obs: HR {vs:HR}, BP {vs:BP}.
                Bloods: Hb {lab:Hb}, urea nitrogen {lab:BUN}.
                Plan: pantoprazole infusion 72 hours, then 40 mg twice daily for 8 weeks. Free fluids today, light diet tomorrow. Twice-daily Hb; transfuse if below 7. Apixaban stays off - discuss restart timing (usually 7 days) with cardiology given CHA2DS2-VASc 4.
                """,
                """
                WARD ROUND - Day {day}
                Haemodynamically stable, eating, stool now brown.
                Obs: HR {vs:HR}, BP {vs:BP}.
                Bloods: Hb {lab:Hb} (nadir {labmin:Hb}, admission {lab0:Hb}), urea nitrogen {lab:BUN}.
                Plan: switch pantoprazole to oral. H. pylori result to follow - eradicate if positive (penicillin-free regimen not required, no allergy). Plan apixaban restart day 7 post-endoscopy if no re-bleeding. Naproxen permanently stopped; paracetamol for arthritis.
                """,
            ]),

        new Scenario(
            "ischaemic-stroke", "Acute ischaemic stroke, left middle cerebral artery territory", 62, 88, DemoSex.Any,
            [
                new(ConditionRole.Admission, "Acute ischaemic stroke, left MCA territory", "422504002", "Ischemic stroke (disorder)", "I63.9", "Cerebral infarction, unspecified"),
                new(ConditionRole.Encounter, "Dysphagia following stroke", "40739000", "Dysphagia (disorder)", "R13.10", "Dysphagia, unspecified"),
                new(ConditionRole.Encounter, "Paroxysmal atrial fibrillation (suspected, on telemetry)", "49436004", "Atrial fibrillation (disorder)", "I48.91", "Unspecified atrial fibrillation", Verification: "provisional"),
                Hypertension,
                Hyperlipidemia,
            ],
            [
                new(Labs.Glucose, LabSchedule.Daily, 142, 128, 118),
                new(Labs.Ldl, LabSchedule.Once, 168),
                new(Labs.HbA1c, LabSchedule.Once, 6.1m),
                new(Labs.TroponinI, LabSchedule.Once, 0.02m),
                new(Labs.Inr, LabSchedule.Once, 1.0m),
            ],
            new VitalTrends([88, 92, 84, 78], [16], [36.9m], [96], [178, 164, 152, 146], [96, 90, 86, 84]),
            [
                new("Aspirin", "1191", "aspirin", "300 mg PO/PR once daily for 14 days, then review for anticoagulation"),
                new("Atorvastatin", "83367", "atorvastatin", "80 mg PO at night"),
                new("Amlodipine", "17767", "amlodipine", "5 mg PO once daily (home medication)", MedStatus.Stopped, "Withheld in the acute phase (permissive hypertension); review day 3"),
                Paracetamol,
            ],
            [Latex],
            """
            ADMISSION NOTE - Stroke Team
            {title} {last}, {age}-year-old {sex}. Found by spouse at breakfast with right arm weakness and slurred speech; last known well 23:00 the previous night (wake-up stroke, outside thrombolysis window, no LVO on CTA).
            On arrival: BP {vs0:BP}, HR {vs0:HR} irregular, SpO2 {vs0:SpO2}, T {vs0:Temp}. Capillary glucose normal.
            Examination: NIHSS 7 - right facial droop, right arm drift, expressive dysphasia, mild right leg weakness.
            Imaging: CT head - early ischaemic change left MCA territory, no haemorrhage. CTA - no large vessel occlusion.
            Investigations: glucose {lab0:Glu}, LDL {lab0:LDL}, HbA1c {lab0:HbA1c}, troponin I {lab0:TnI}, INR {lab0:INR}. ECG: sinus rhythm with frequent ectopics.
            Impression: acute left MCA ischaemic stroke, not for thrombolysis or thrombectomy.
            Plan: aspirin 300 mg PR (failed bedside swallow screen), nil by mouth pending SALT, atorvastatin 80 mg when swallow safe. Permissive hypertension - hold amlodipine, treat only if BP above 220/120. 72-hour cardiac monitoring. Latex allergy - latex-free catheter and gloves.
            """,
            [
                """
                WARD ROUND - Day {day}
                Speech slightly improved; right arm still weak (MRC 3/5). SALT: moderate oropharyngeal dysphagia - pureed diet, mildly thick fluids.
                Obs: BP {vs:BP}, HR {vs:HR}, SpO2 {vs:SpO2}.
                Telemetry: two runs of paroxysmal AF overnight (up to 40 minutes) - probable cardioembolic source.
                Plan: continue aspirin 300 mg; plan switch to anticoagulation around day 7 given moderate infarct size. Atorvastatin started. Physiotherapy and occupational therapy assessments. MRI brain requested.
                """,
                """
                WARD ROUND - Day {day}
                Stable neurology, NIHSS 5. Tolerating modified diet.
                Obs: BP {vs:BP}, HR {vs:HR}.
                Bloods: glucose {lab:Glu}.
                Plan: restart amlodipine if systolic persistently above 150 after 48 hours. Echocardiogram requested. Refer to stroke rehabilitation unit. Anticoagulation decision at consultant review (stroke team) on day 7.
                """,
            ]),

        new Scenario(
            "cellulitis", "Cellulitis of the left lower leg", 42, 80, DemoSex.Any,
            [
                new(ConditionRole.Admission, "Cellulitis of left lower leg", "128045006", "Cellulitis (disorder)", "L03.116", "Cellulitis of left lower limb"),
                new(ConditionRole.Encounter, "Deep vein thrombosis of left leg (to exclude)", "128053003", "Deep venous thrombosis (disorder)", "I82.402", "Acute embolism and thrombosis of unspecified deep veins of left lower extremity", Verification: "differential"),
                Obesity,
                Type2Diabetes,
                Hypertension,
            ],
            [
                new(Labs.Wbc, LabSchedule.Daily, 14.2m, 12.8m, 10.6m, 9.2m),
                new(Labs.Crp, LabSchedule.Daily, 156, 138, 92, 54),
                new(Labs.Glucose, LabSchedule.Daily, 224, 196, 172, 150),
                new(Labs.Creatinine, LabSchedule.Daily, 0.96m, 0.91m),
            ],
            new VitalTrends([104, 96, 88, 82], [18, 18, 16], [38.6m, 38.0m, 37.4m, 37.0m], [97], [134, 130, 128], [82, 80, 78]),
            [
                new("Vancomycin", "11124", "vancomycin", "1.25 g IV every 12 hours; dose adjusted to trough levels (penicillin anaphylaxis)"),
                new("Metformin", "6809", "metformin", "1 g PO twice daily"),
                new("Lisinopril", "29046", "lisinopril", "10 mg PO once daily"),
                EnoxaparinProphylaxis with { Dosage = "40 mg subcut once daily (VTE prophylaxis, pending duplex)" },
                Paracetamol,
            ],
            [PenicillinAnaphylaxis, CodeineNausea],
            """
            ADMISSION NOTE - Acute Medicine
            {title} {last}, {age}-year-old {sex} with type 2 diabetes and obesity. Presenting complaint: 3 days of a hot, red, painful, swollen left shin spreading upwards despite 2 days of oral clindamycin from the GP; fevers.
            On arrival: T {vs0:Temp}, HR {vs0:HR}, BP {vs0:BP}, RR {vs0:RR}, SpO2 {vs0:SpO2}.
            Examination: erythema from ankle to below the knee (margin marked), warm and tender, no crepitus, no bullae. Interdigital tinea between left toes - likely portal of entry. Left calf circumference 3 cm more than right.
            Investigations: WBC {lab0:WBC}, CRP {lab0:CRP}, glucose {lab0:Glu}, creatinine {lab0:Cr}.
            Impression: Eron class II cellulitis, left lower leg. DVT not excluded (Wells score 2).
            Plan: IV vancomycin (penicillin ANAPHYLAXIS), elevate leg, analgesia (codeine intolerance - avoid), topical antifungal for toes. Venous duplex. Continue metformin, monitor glucose four times daily.
            """,
            [
                """
                WARD ROUND - Day {day}
                Erythema has not spread beyond the marked margin; pain improving. Fever settling.
                Obs: T {vs:Temp}, HR {vs:HR}, BP {vs:BP}.
                Bloods: WBC {lab:WBC}, CRP {lab:CRP}, glucose {lab:Glu}, creatinine {lab:Cr}. Vancomycin trough within target.
                Venous duplex booked for today - DVT remains on the differential until then.
                Plan: continue IV vancomycin; review for oral switch (doxycycline) when afebrile 48 hours and erythema receding.
                """,
                """
                WARD ROUND - Day {day}
                Erythema receding well inside the marked margin. Afebrile.
                Obs: T {vs:Temp}, HR {vs:HR}.
                Bloods: CRP {lab:CRP} (from {lab0:CRP}), WBC {lab:WBC}, glucose {lab:Glu}.
                Plan: switch to oral doxycycline to complete 7 days in total. Chase duplex report. Foot care and diabetes review before discharge.
                """,
            ]),

        new Scenario(
            "pulmonary-embolism", "Acute pulmonary embolism", 28, 52, DemoSex.Female,
            [
                new(ConditionRole.Admission, "Acute bilateral pulmonary emboli without right heart strain", "59282003", "Pulmonary embolism (disorder)", "I26.99", "Other pulmonary embolism without acute cor pulmonale"),
                Obesity with { OnsetYearsAgo = 6 },
                new(ConditionRole.Comorbidity, "Asthma", "195967001", "Asthma (disorder)", "J45.909", "Unspecified asthma, uncomplicated", OnsetYearsAgo: 20),
                new(ConditionRole.Comorbidity, "Migraine", "37796009", "Migraine (disorder)", "G43.909", "Migraine, unspecified, not intractable, without status migrainosus", OnsetYearsAgo: 12),
            ],
            [
                new(Labs.DDimer, LabSchedule.Once, 3850),
                new(Labs.TroponinI, LabSchedule.Once, 0.03m),
                new(Labs.NtProBnp, LabSchedule.Once, 96),
                new(Labs.Crp, LabSchedule.Daily, 24, 18, 12),
                new(Labs.Platelets, LabSchedule.Daily, 232, 224, 236),
            ],
            new VitalTrends([118, 104, 96, 88], [26, 22, 20, 18], [37.6m, 37.2m, 36.9m], [90, 93, 95, 96], [118, 122, 124], [74, 76, 76]),
            [
                new("Enoxaparin (treatment dose)", "67108", "enoxaparin", "1 mg/kg subcut every 12 hours", MedStatus.Completed, "Switched to apixaban"),
                new("Apixaban", "1364430", "apixaban", "10 mg PO twice daily for 7 days, then 5 mg twice daily for at least 3 months"),
                new("Levonorgestrel / ethinyl estradiol", "748879", "Levora 0.15/30 28 Day Pack", "1 tablet PO once daily (home medication)", MedStatus.Stopped, "Stopped: oestrogen-containing contraceptive after venous thromboembolism"),
                new("Albuterol (salbutamol) inhaler", "745679", "200 ACTUAT Albuterol 0.09 MG/ACTUAT Metered Dose Inhaler", "2 puffs inhaled every 4 hours as needed"),
                Paracetamol,
            ],
            [],
            """
            ADMISSION NOTE - Acute Medicine
            {title} {last}, {age}-year-old {sex}. Presenting complaint: 2 days of pleuritic right-sided chest pain and breathlessness on exertion; long-haul flight 10 days ago. On the combined oral contraceptive pill.
            On arrival: HR {vs0:HR}, RR {vs0:RR}, SpO2 {vs0:SpO2} on room air, BP {vs0:BP}, T {vs0:Temp}. Chest clear. No calf swelling.
            Investigations: D-dimer {lab0:DDimer}, troponin I {lab0:TnI}, NT-proBNP {lab0:NTproBNP}, CRP {lab0:CRP}. ECG: sinus tachycardia, no S1Q3T3.
            CTPA: bilateral segmental pulmonary emboli, RV:LV ratio 0.8, no right heart strain.
            Impression: acute PE, provoked (travel, oestrogen), sPESI 1 (heart rate above 110), intermediate-low risk.
            Plan: treatment-dose enoxaparin tonight, switch to apixaban tomorrow. Stop combined pill - contraception counselling (progestogen-only or IUD). Oxygen to target 94-98%. Observe for 24-48 hours given tachycardia and hypoxia.
            """,
            [
                """
                WARD ROUND - Day {day}
                Pain improving with paracetamol, breathless only on stairs.
                Obs: HR {vs:HR}, RR {vs:RR}, SpO2 {vs:SpO2} on room air, BP {vs:BP}.
                Plan: apixaban 10 mg twice daily started this morning. Echo not required (normal NT-proBNP and troponin). Gynaecology advice on contraception. Possible discharge tomorrow with anticoagulation clinic follow-up at 3 months.
                """,
                """
                WARD ROUND - Day {day}
                Comfortable at rest, walking the ward corridor with SpO2 {vs:SpO2}. HR {vs:HR}.
                Bloods: CRP {lab:CRP}.
                Plan: discharge today with apixaban (counselled on bleeding risks), written PE information, 3-month follow-up. Avoid oestrogen-containing contraception.
                """,
            ]),

        new Scenario(
            "hyperkalaemia", "Severe hyperkalaemia", 62, 86, DemoSex.Any,
            [
                new(ConditionRole.Admission, "Severe hyperkalaemia (drug-induced on CKD)", "14140009", "Hyperkalemia (disorder)", "E87.5", "Hyperkalemia"),
                Ckd3,
                new(ConditionRole.Comorbidity, "Chronic heart failure with reduced ejection fraction", "88805009", "Chronic congestive heart failure (disorder)", "I50.22", "Chronic systolic (congestive) heart failure", OnsetYearsAgo: 3),
                Type2Diabetes,
                new(ConditionRole.Resolved, "Cystitis (treated by GP last week)", "38822007", "Cystitis (disorder)", "N30.90", "Cystitis, unspecified without hematuria", OnsetYearsAgo: 0),
            ],
            [
                new(Labs.Potassium, LabSchedule.TwiceDaily, 6.8m, 6.0m, 5.6m, 5.3m, 5.1m),
                new(Labs.Creatinine, LabSchedule.Daily, 2.12m, 2.01m, 1.84m, 1.71m),
                new(Labs.Urea, LabSchedule.Daily, 46, 42, 38, 34),
                new(Labs.Bicarbonate, LabSchedule.Daily, 19, 21, 22),
                new(Labs.Glucose, LabSchedule.TwiceDaily, 162, 118, 136, 128),
                new(Labs.Sodium, LabSchedule.Daily, 136, 137),
            ],
            new VitalTrends([54, 62, 68, 72], [18, 16], [36.7m], [96], [118, 126, 130], [70, 74, 76]),
            [
                new("Insulin regular (human) with dextrose", "253182", "insulin regular, human", "10 units IV with 50 mL of 50% dextrose over 15 minutes; capillary glucose hourly for 6 hours", MedStatus.Completed, "Given in the emergency department"),
                new("Dextrose 50%", "4850", "glucose", "50 mL IV with insulin, as above", MedStatus.Completed, "Given in the emergency department"),
                new("Albuterol (salbutamol) nebulised", "435", "albuterol", "10 mg nebulised once for hyperkalaemia", MedStatus.Completed, "Single dose given"),
                new("Spironolactone", "9997", "spironolactone", "25 mg PO once daily (home medication)", MedStatus.Stopped, "Stopped: hyperkalaemia"),
                new("Lisinopril", "29046", "lisinopril", "10 mg PO once daily (home medication)", MedStatus.Stopped, "Held: hyperkalaemia; review at heart failure clinic"),
                new("Trimethoprim", "10829", "trimethoprim", "200 mg PO twice daily (GP course for cystitis)", MedStatus.Stopped, "Stopped: raises potassium; cystitis course complete"),
                new("Furosemide", "4603", "furosemide", "40 mg PO once daily"),
            ],
            [CodeineNausea],
            """
            ADMISSION NOTE - Acute Medicine
            {title} {last}, {age}-year-old {sex} with CKD stage 3, HFrEF and type 2 diabetes. Routine GP bloods showed K 7.1; sent in. Feels generally weak. Started trimethoprim for cystitis 5 days ago while on lisinopril and spironolactone.
            On arrival: HR {vs0:HR}, BP {vs0:BP}, RR {vs0:RR}, SpO2 {vs0:SpO2}. Euvolaemic.
            ECG: sinus bradycardia, tall tented T waves in V2-V4, QRS 98 ms, no P-wave flattening.
            Investigations: K {lab0:K} (non-haemolysed, confirmed on venous gas), creatinine {lab0:Cr} (baseline 1.8), bicarbonate {lab0:HCO3}, glucose {lab0:Glu}.
            Impression: severe hyperkalaemia, drug-induced (ACE inhibitor, spironolactone, trimethoprim) on CKD.
            Plan: cardiac monitoring; insulin-dextrose and nebulised salbutamol given; IV calcium not needed as QRS narrow (re-assess if ECG changes progress). Stop spironolactone and trimethoprim, hold lisinopril. Twice-daily potassium, hourly capillary glucose for 6 hours after insulin. Low-potassium diet.
            """,
            [
                """
                WARD ROUND - Day {day}
                No palpitations. Telemetry: sinus rhythm, T waves normalising.
                Obs: HR {vs:HR}, BP {vs:BP}.
                Bloods: K {lab:K} (from {lab0:K}), creatinine {lab:Cr}, bicarbonate {lab:HCO3}, glucose {lab:Glu}.
                Plan: continue furosemide. Spironolactone stays off. Dietitian review for low-potassium diet. Repeat potassium this evening.
                """,
                """
                WARD ROUND - Day {day}
                Well. Telemetry removed.
                Bloods: K {lab:K}, creatinine {lab:Cr}.
                Plan: discharge when K stable below 5.5 for 24 hours. Heart failure team to consider potassium binder to allow ACE inhibitor and MRA to be restarted. GP to avoid trimethoprim in future. Repeat U&E in 1 week.
                """,
            ]),

        new Scenario(
            "delirium-uti", "Hyperactive delirium secondary to urinary tract infection", 80, 92, DemoSex.Female,
            [
                new(ConditionRole.Admission, "Hyperactive delirium", "2776000", "Delirium (disorder)", "F05", "Delirium due to known physiological condition"),
                new(ConditionRole.Encounter, "Urinary tract infection (E. coli)", "68566005", "Urinary tract infectious disease (disorder)", "N39.0", "Urinary tract infection, site not specified"),
                new(ConditionRole.Comorbidity, "Alzheimer's dementia (mild)", "26929004", "Alzheimer's disease (disorder)", "G30.9", "Alzheimer's disease, unspecified", OnsetYearsAgo: 3),
                Hypertension,
                Osteoporosis,
                Hypothyroidism,
            ],
            [
                new(Labs.Wbc, LabSchedule.Daily, 14.6m, 12.2m, 9.8m),
                new(Labs.Crp, LabSchedule.Daily, 112, 86, 44),
                new(Labs.Sodium, LabSchedule.Daily, 132, 134, 136),
                new(Labs.Creatinine, LabSchedule.Daily, 1.21m, 1.06m, 0.94m),
                new(Labs.Urea, LabSchedule.Daily, 32, 26, 20),
                new(Labs.Tsh, LabSchedule.Once, 2.1m),
                new(Labs.VitaminB12, LabSchedule.Once, 420),
                new(Labs.Calcium, LabSchedule.Once, 9.4m),
            ],
            new VitalTrends([98, 90, 82], [20, 18, 16], [38.2m, 37.6m, 37.0m], [95], [152, 140, 134], [84, 78, 74]),
            [
                new("Ceftriaxone", "2193", "ceftriaxone", "1 g IV once daily", MedStatus.Completed, "Switched to oral nitrofurantoin per culture sensitivities"),
                new("Nitrofurantoin", "311995", "NITROFURANTOIN, MACROCRYSTALS 50 MG Oral Capsule", "100 mg (2 x 50 mg capsules) PO four times daily to complete 7 days of antibiotics"),
                new("Donepezil", "997223", "Donepezil hydrochloride 10 MG Oral Tablet", "10 mg PO at night"),
                new("Levothyroxine", "10582", "levothyroxine", "50 micrograms PO once daily"),
                new("Haloperidol", "5093", "haloperidol", "0.5 mg PO as needed, max twice daily, only for severe distress or risk to self/others"),
                new("Amlodipine", "197361", "Amlodipine 5 MG Oral Tablet", "5 mg PO once daily"),
            ],
            [CodeineNausea],
            """
            ADMISSION NOTE - Acute Medicine (Older People)
            {title} {last}, {age}-year-old {sex} with mild Alzheimer's dementia, lives alone with twice-daily carers. Brought in by daughter: 2 days of acute confusion, agitation at night, pulling at clothes, reduced oral intake, new urinary incontinence.
            On arrival: T {vs0:Temp}, HR {vs0:HR}, BP {vs0:BP}, RR {vs0:RR}, SpO2 {vs0:SpO2}. 4AT score 8. Suprapubic tenderness. No focal neurology. No head injury.
            Investigations: WBC {lab0:WBC}, CRP {lab0:CRP}, Na {lab0:Na}, creatinine {lab0:Cr}, TSH {lab0:TSH}, B12 {lab0:B12}, calcium {lab0:Ca}. Urine dipstick: nitrites and leucocytes positive; culture sent. CXR clear.
            Impression: hyperactive delirium secondary to UTI on background of dementia.
            Plan: IV ceftriaxone pending culture, encourage fluids, delirium bundle (glasses and hearing aids, orientation, sleep hygiene, avoid catheter, bowel chart), family encouraged to visit. Avoid benzodiazepines; haloperidol 0.5 mg only if severe distress. Falls risk - low bed.
            """,
            [
                """
                WARD ROUND - Day {day}
                Unsettled overnight, settled with reassurance from nursing staff; no haloperidol needed. Eating a little.
                Obs: T {vs:Temp}, HR {vs:HR}, BP {vs:BP}.
                Bloods: WBC {lab:WBC}, CRP {lab:CRP}, Na {lab:Na}, creatinine {lab:Cr}.
                Urine culture: E. coli, sensitive to nitrofurantoin and ceftriaxone, resistant to trimethoprim.
                Plan: switch to oral nitrofurantoin (eGFR adequate). Continue delirium bundle. Collateral from daughter: baseline MMSE 22/30 last year.
                """,
                """
                WARD ROUND - Day {day}
                Much brighter, 4AT now 2, recognises daughter, sleeping better.
                Obs: T {vs:Temp}, HR {vs:HR}.
                Bloods: CRP {lab:CRP}, Na {lab:Na}.
                Plan: complete 7 days of antibiotics. Physiotherapy and occupational therapy assessment for discharge home with increased care package. Memory clinic follow-up.
                """,
            ]),

        new Scenario(
            "alcohol-withdrawal", "Alcohol withdrawal syndrome", 34, 64, DemoSex.Male,
            [
                new(ConditionRole.Admission, "Alcohol withdrawal syndrome", "8635005", "Alcohol withdrawal syndrome (disorder)", "F10.230", "Alcohol dependence with withdrawal, uncomplicated"),
                new(ConditionRole.Comorbidity, "Alcohol dependence", "66590003", "Alcohol dependence (disorder)", "F10.20", "Alcohol dependence, uncomplicated", OnsetYearsAgo: 11),
                new(ConditionRole.Comorbidity, "Alcohol-related fatty liver disease", "50325005", "Alcoholic fatty liver (disorder)", "K70.0", "Alcoholic fatty liver", OnsetYearsAgo: 2),
                Smoker with { OnsetYearsAgo = 25 },
                Depression,
            ],
            [
                new(Labs.Alt, LabSchedule.Daily, 86, 78, 70),
                new(Labs.Ast, LabSchedule.Daily, 142, 120, 98),
                new(Labs.Bilirubin, LabSchedule.Daily, 1.8m, 1.6m, 1.3m),
                new(Labs.Magnesium, LabSchedule.Daily, 1.3m, 1.6m, 1.9m),
                new(Labs.Potassium, LabSchedule.Daily, 3.2m, 3.6m, 4.0m),
                new(Labs.Platelets, LabSchedule.Daily, 98, 104, 118),
                new(Labs.Sodium, LabSchedule.Daily, 132, 134, 136),
                new(Labs.Mcv, LabSchedule.Once, 104),
                new(Labs.Inr, LabSchedule.Once, 1.2m),
                new(Labs.Albumin, LabSchedule.Once, 3.1m),
            ],
            new VitalTrends([118, 104, 92, 84], [22, 18, 16], [37.8m, 37.3m, 36.9m], [97], [162, 148, 136, 130], [98, 90, 84, 80]),
            [
                new("Lorazepam", "6470", "lorazepam", "1-2 mg PO every 4 hours as needed when CIWA-Ar score above 10 (symptom-triggered)"),
                new("Thiamine", "10454", "thiamine", "200 mg IV three times daily for 5 days, then 100 mg PO three times daily"),
                new("Folic acid", "4511", "folic acid", "5 mg PO once daily"),
                new("Magnesium sulfate", "6585", "magnesium sulfate", "2 g IV over 2 hours", MedStatus.Completed, "Single dose given; magnesium recovering"),
                new("Potassium chloride", "8591", "potassium chloride", "20 mEq PO twice daily"),
                new("Nicotine", "7407", "nicotine", "21 mg/24 h transdermal patch once daily"),
            ],
            [],
            """
            ADMISSION NOTE - Acute Medicine
            {title} {last}, {age}-year-old {sex}. Drinks about 1 L of vodka daily (~40 units/day). Stopped abruptly 18 hours before admission (ran out of money). Presenting complaint: tremor, sweating, anxiety, nausea. No hallucinations. Previous withdrawal seizure 3 years ago.
            On arrival: HR {vs0:HR}, BP {vs0:BP}, T {vs0:Temp}, RR {vs0:RR}. Coarse tremor, diaphoretic, orientated. CIWA-Ar 18. No signs of Wernicke's encephalopathy (no ophthalmoplegia, ataxia difficult to assess). No stigmata of chronic liver disease.
            Investigations: ALT {lab0:ALT}, AST {lab0:AST}, bilirubin {lab0:Bili}, Mg {lab0:Mg}, K {lab0:K}, platelets {lab0:Plt}, MCV {lab0:MCV}, INR {lab0:INR}, albumin {lab0:Alb}.
            Impression: moderate-to-severe alcohol withdrawal with high seizure risk; hypomagnesaemia and hypokalaemia.
            Plan: symptom-triggered lorazepam per CIWA-Ar every 2 hours, high-dose IV thiamine BEFORE any glucose, replace magnesium and potassium, folic acid. Alcohol liaison nurse referral. Side room near nursing station.
            """,
            [
                """
                WARD ROUND - Day {day}
                Required 6 mg lorazepam in the last 24 hours; CIWA-Ar now 9. Tremor reduced, no hallucinations, no seizures.
                Obs: HR {vs:HR}, BP {vs:BP}, T {vs:Temp}.
                Bloods: Mg {lab:Mg}, K {lab:K}, ALT {lab:ALT}, AST {lab:AST}, bilirubin {lab:Bili}.
                Plan: continue symptom-triggered regimen and IV thiamine. Alcohol liaison nurse seen - patient keen to engage with community alcohol team.
                """,
                """
                WARD ROUND - Day {day}
                CIWA-Ar 4, one dose of lorazepam overnight. Eating well.
                Obs: HR {vs:HR}, BP {vs:BP}.
                Bloods: Mg {lab:Mg}, K {lab:K}, platelets {lab:Plt}.
                Plan: convert to oral thiamine. Liver ultrasound and FibroScan as outpatient. Discharge planning with community alcohol team; discuss relapse-prevention medication (acamprosate).
                """,
            ]),
    ];
}

using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The small, explicit knowledge the offline drafter uses: which results belong to which problem, and which
/// medicines share a class with an allergy. Deliberately conservative; anything not listed is simply not linked.
/// </summary>
internal static class ClinicalRules
{
    /// <summary>A measured quantity recognised by LOINC code or, failing that, by words in its display.</summary>
    internal sealed record Analyte(string Name, string[] Loinc, Regex Display);

    private static Analyte A(string name, string displayPattern, params string[] loinc) =>
        new(name, loinc, new Regex(displayPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant));

    private static readonly Analyte Potassium = A("potassium", @"\bpotassium\b(?!.*\burine\b)", "6298-4", "2823-3", "77142-8");
    private static readonly Analyte Sodium = A("sodium", @"\bsodium\b(?!.*\burine\b)", "2951-2", "2947-0");
    private static readonly Analyte Creatinine = A("creatinine", @"^(?!.*(?:urine|ratio|clearance)).*\bcreatinine\b", "2160-0", "38483-4", "14682-9");
    private static readonly Analyte Egfr = A("eGFR", @"glomerular filtration|\begfr\b", "33914-3", "62238-1", "48642-3", "48643-1", "69405-9", "98979-8");
    private static readonly Analyte Urea = A("urea", @"\burea nitrogen\b|\burea\b(?!.*\burine\b)", "3094-0", "6299-2");
    private static readonly Analyte HbA1c = A("HbA1c", @"\ba1c\b", "4548-4", "17856-6");
    private static readonly Analyte Glucose = A("glucose", @"^(?!.*urine).*\bglucose\b", "2345-7", "2339-0", "41653-7");
    private static readonly Analyte Haemoglobin = A("haemoglobin", @"^(?!.*a1c).*\bha?emoglobin\b", "718-7", "30313-1");
    private static readonly Analyte Leukocytes = A("white cell count", @"\bleukocytes\b|white blood cell", "6690-2", "26464-8");
    private static readonly Analyte Crp = A("CRP", @"c[ -]reactive protein", "1988-5", "30522-7");
    private static readonly Analyte Lactate = A("lactate", @"\blactate\b", "2524-7", "32693-4");
    private static readonly Analyte Bnp = A("natriuretic peptide", @"natriuretic", "33762-6", "30934-4", "83107-3");
    private static readonly Analyte Troponin = A("troponin", @"\btroponin\b", "6598-7", "10839-9", "89579-7", "49563-0");
    private static readonly Analyte Ldl = A("LDL cholesterol", @"\bldl\b|low density lipoprotein", "18262-6", "13457-7", "2089-1");
    private static readonly Analyte Cholesterol = A("cholesterol", @"^(?!.*(?:ldl|hdl|density)).*\bcholesterol\b", "2093-3");
    private static readonly Analyte Alt = A("ALT", @"alanine aminotransferase", "1742-6");
    private static readonly Analyte Ast = A("AST", @"aspartate aminotransferase", "1920-8");
    private static readonly Analyte Bilirubin = A("bilirubin", @"\bbilirubin\b", "1975-2");
    private static readonly Analyte Tsh = A("TSH", @"thyrotropin|\btsh\b", "3016-3");
    private static readonly Analyte Inr = A("INR", @"\binr\b|coagulation.*tissue factor", "6301-6", "34714-6");
    private static readonly Analyte BloodPressure = A("blood pressure", @"blood pressure", "85354-9", "8480-6", "55284-4");
    private static readonly Analyte HeartRate = A("heart rate", @"heart rate|\bpulse\b", "8867-4");
    private static readonly Analyte OxygenSaturation = A("oxygen saturation", @"oxygen saturation|\bspo2\b", "2708-6", "59408-5");
    private static readonly Analyte Temperature = A("temperature", @"body temperature", "8310-5");

    /// <summary>Problem (words in its display, lower case) → the results that show how it is going, most telling first.</summary>
    private static readonly (Regex Problem, Analyte[] Analytes)[] ProblemLinks =
    [
        (P(@"hyperkal|hypokal"), [Potassium]),
        (P(@"hyponatr|hypernatr"), [Sodium]),
        (P(@"kidney|renal|nephropath|\bckd\b"), [Creatinine, Egfr, Potassium, Urea]),
        (P(@"heart failure|cardiac failure"), [Bnp, Creatinine, Potassium, Sodium]),
        (P(@"diabet|hyperglyc"), [HbA1c, Glucose]),
        (P(@"an(?:a)?emia"), [Haemoglobin]),
        (P(@"sepsis|septic|infection|pneumonia|cellulitis|pyelonephritis"), [Lactate, Crp, Leukocytes]),
        (P(@"myocardial infarction|coronary|angina|chest pain"), [Troponin]),
        (P(@"hyperlipid|hypercholest|dyslipid"), [Ldl, Cholesterol]),
        (P(@"hepat|liver|cirrhosis"), [Bilirubin, Alt, Ast, Inr]),
        (P(@"thyroid"), [Tsh]),
        (P(@"hypertensi"), [BloodPressure]),
        (P(@"atrial fibrillation"), [HeartRate, Inr]),
        (P(@"copd|chronic obstructive|asthma|respiratory failure|hypox"), [OxygenSaturation]),
        (P(@"fever|pyrexia"), [Temperature, Crp, Leukocytes]),
    ];

    internal static readonly Analyte PotassiumAnalyte = Potassium;

    private static Regex P(string pattern) => new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>The analytes that describe <paramref name="problemDisplay"/>, most telling first, no duplicates.</summary>
    public static IReadOnlyList<Analyte> AnalytesFor(string problemDisplay)
    {
        var result = new List<Analyte>();
        foreach (var (problem, analytes) in ProblemLinks)
        {
            if (!problem.IsMatch(problemDisplay)) continue;
            foreach (var a in analytes) if (!result.Contains(a)) result.Add(a);
        }
        return result;
    }

    public static bool Measures(this Analyte analyte, ContextObservation o) =>
        o.Loinc is { Length: > 0 } code ? analyte.Loinc.Contains(code, StringComparer.Ordinal) || (!IsKnownLoinc(code) && analyte.Display.IsMatch(o.Display))
                                         : analyte.Display.IsMatch(o.Display);

    private static readonly HashSet<string> AllLoinc = new(
        new[] { Potassium, Sodium, Creatinine, Egfr, Urea, HbA1c, Glucose, Haemoglobin, Leukocytes, Crp, Lactate, Bnp, Troponin, Ldl,
                Cholesterol, Alt, Ast, Bilirubin, Tsh, Inr, BloodPressure, HeartRate, OxygenSaturation, Temperature }
            .SelectMany(a => a.Loinc), StringComparer.Ordinal);

    private static bool IsKnownLoinc(string code) => AllLoinc.Contains(code);

    /// <summary>Medicine classes, recognised by words in a medication display or an allergy substance.</summary>
    private static readonly (string Class, Regex Pattern)[] DrugClasses =
    [
        ("penicillin", P(@"penicillin|amoxicillin|ampicillin|piperacillin|flucloxacillin|dicloxacillin|cloxacillin|nafcillin|oxacillin|ticarcillin|pivmecillinam|temocillin|co-amoxiclav|augmentin")),
        ("cephalosporin", P(@"\bcef[a-z]+|\bceph[a-z]+")),
        ("sulfonamide", P(@"\bsulf[a-z]*|\bsulph[a-z]*|co-trimoxazole")),
        ("NSAID", P(@"\bnsaids?\b|aspirin|acetylsalicylic|ibuprofen|naproxen|diclofenac|ketorolac|celecoxib|indometacin|indomethacin|meloxicam")),
        ("opioid", P(@"\bopioids?\b|\bopiates?\b|codeine|morphine|oxycodone|hydromorphone|hydrocodone|fentanyl|tramadol|pethidine|meperidine")),
    ];

    /// <summary>Medicines that raise potassium (ACE inhibitors, ARBs, potassium-sparing diuretics, supplements).</summary>
    private static readonly Regex PotassiumRaising =
        P(@"\b[a-z]+pril\b|\b[a-z]+sartan\b|spironolactone|eplerenone|amiloride|triamterene|potassium chloride|trimethoprim");

    private static readonly HashSet<string> SubstanceStopWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "substance", "product", "allergy", "allergic", "containing", "tablet", "capsule", "injection", "solution", "oral", "extract",
    };

    public static IReadOnlyList<string> ClassesOf(string text) =>
        [.. DrugClasses.Where(c => c.Pattern.IsMatch(text)).Select(c => c.Class)];

    public static bool RaisesPotassium(string medicationDisplay) => PotassiumRaising.IsMatch(medicationDisplay);

    /// <summary>Why <paramref name="medication"/> may conflict with an allergy to <paramref name="substance"/>:
    /// a shared class ("penicillin-class"), the same named substance, or null.</summary>
    public static string? AllergyConflict(string substance, string medication)
    {
        var shared = ClassesOf(substance).Intersect(ClassesOf(medication), StringComparer.Ordinal).FirstOrDefault();
        if (shared is not null) return shared + "-class";
        foreach (Match word in Regex.Matches(substance, @"\p{L}{5,}"))
        {
            if (SubstanceStopWords.Contains(word.Value)) continue;
            if (Regex.IsMatch(medication, $@"\b{Regex.Escape(word.Value)}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
                return "same-substance";
        }
        return null;
    }
}

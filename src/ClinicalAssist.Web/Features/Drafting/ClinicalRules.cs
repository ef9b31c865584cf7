using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Medicine classes the offline drafter checks against allergies and a raised potassium. Which results and medicines
/// belong to which problem is declared in <see cref="ClinicalKnowledge"/>. Deliberately conservative.
/// </summary>
internal static class ClinicalRules
{
    private static Regex P(string pattern) => new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

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

using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Sorts an Observation into the section that shows it: by its category (the FHIR observation-category
/// codes, whatever system carries them), and by its code when the category is missing or unusual — vital signs by
/// their LOINC codes, laboratory results by a LOINC class in the category (CHEM, HEM/BC, MICRO…). Everything else
/// (survey, exam, social history, imaging, procedure, activity, therapy, none) goes to Other observations.</summary>
public static class ObservationKinds
{
    /// <summary>The category word shown for an observation without any category code.</summary>
    public const string Uncategorised = "uncategorised";

    /// <summary>The LOINC codes of the FHIR vital-signs profile (and the ones Synthea writes with them).</summary>
    private static readonly HashSet<string> VitalLoinc = new(StringComparer.Ordinal)
    {
        "85353-1", "9279-1", "8867-4", "2708-6", "59408-5", "8310-5", "8331-1", "8302-2", "8306-3", "9843-4", "29463-7",
        "39156-5", "85354-9", "55284-4", "8480-6", "8462-4", "8478-0", "3150-0", "8287-5", "59576-9", "77606-2", "8289-1",
    };

    /// <summary>LOINC classes of laboratory tests (the LOINC "CLASS" field), as some servers put them in the category.</summary>
    private static readonly HashSet<string> LabClasses = new(StringComparer.OrdinalIgnoreCase)
    {
        "CHEM", "HEM/BC", "MICRO", "SERO", "UA", "COAG", "DRUG/TOX", "ABXBACT", "CELLMARK", "HLA", "PATH", "SPEC", "BLDBK",
        "CYTO", "FERT", "ALLERGY", "MOLPATH", "CHAL", "TOXIN", "LAB",
    };

    /// <summary>The section key (<see cref="ContextSections.Labs"/>, <see cref="ContextSections.Vitals"/> or
    /// <see cref="ContextSections.OtherObservations"/>) that shows this observation.</summary>
    public static string SectionOf(Observation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var vital = false;
        foreach (var category in observation.Category)
        {
            foreach (var coding in category.Coding)
            {
                switch (coding.Code)
                {
                    case "laboratory":
                        return ContextSections.Labs.Key;
                    case "vital-signs" or "vital-sign":
                        vital = true;
                        break;
                    case { } code when LabClasses.Contains(code):
                        return ContextSections.Labs.Key;
                }
            }
        }

        if (vital || (!HasStandardCategory(observation) && IsVitalCode(observation.Code)))
        {
            return ContextSections.Vitals.Key;
        }

        return ContextSections.OtherObservations.Key;
    }

    /// <summary>The observation's category as shown and counted: its first category code ("survey"), else
    /// <see cref="Uncategorised"/>.</summary>
    public static string CategoryOf(Observation observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        foreach (var category in observation.Category)
        {
            foreach (var coding in category.Coding)
            {
                if (!string.IsNullOrWhiteSpace(coding.Code))
                {
                    return coding.Code.Trim();
                }
            }

            if (!string.IsNullOrWhiteSpace(category.Text))
            {
                return category.Text.Trim();
            }
        }

        return Uncategorised;
    }

    private static bool IsVitalCode(CodeableConcept? code) =>
        code?.Coding.Any(c => c.Code is { } value && VitalLoinc.Contains(value) && (c.System is null || c.System == FhirValues.Loinc)) == true;

    /// <summary>True when a category uses the FHIR observation-category system (then its word decides, not the code).</summary>
    private static bool HasStandardCategory(Observation observation) =>
        observation.Category.SelectMany(c => c.Coding).Any(c => c.System == "http://terminology.hl7.org/CodeSystem/observation-category"
                                                                 && c.Code is not null and not "vital-signs" and not "vital-sign" and not "laboratory");
}

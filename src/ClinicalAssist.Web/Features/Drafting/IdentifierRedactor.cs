using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Removes the patient's own identifiers (name parts, MRN and other identifiers, birth date, address lines,
/// postcode, city, phone, e-mail) from free text that is about to leave the application (a prompt). Notes often
/// repeat them; the model does not need them. Best effort: it knows only this patient's own identifiers.
/// </summary>
internal sealed partial class IdentifierRedactor
{
    public const string Replacement = "[redacted]";

    private static readonly HashSet<string> Titles = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "jr", "sr", "ii", "iii",
    };

    private readonly Regex? _caseInsensitive;
    private readonly Regex? _caseSensitive;

    public IdentifierRedactor(PatientContext context)
    {
        var patient = context.Patient;
        var exact = new List<string>();
        var names = new List<string> { patient.DisplayName ?? "" };
        Add(exact, patient.DisplayName);
        Add(exact, patient.Mrn);
        if (patient.BirthDate is { } b)
        {
            foreach (var format in BirthDateFormats) exact.Add(b.ToString(format, CultureInfo.InvariantCulture));
        }

        // The FHIR Patient resource behind the context, when present, also holds identifiers (SSN, passport…),
        // address, phone, e-mail and the structured name.
        if (context.Resources.TryGetValue("Patient/" + patient.Id, out var resource) && resource is Hl7.Fhir.Model.Patient fhir)
        {
            foreach (var identifier in fhir.Identifier) Add(exact, identifier.Value);
            foreach (var telecom in fhir.Telecom) Add(exact, telecom.Value);
            foreach (var address in fhir.Address)
            {
                foreach (var line in address.Line) Add(exact, line);
                Add(exact, address.PostalCode);
                names.Add(address.City ?? "");
            }
            foreach (var name in fhir.Name)
            {
                names.AddRange(name.Given.Select(g => g ?? ""));
                names.Add(name.Family ?? "");
            }
        }

        // Name parts (and city) are matched case-sensitively (as written in a note) so that a surname which is also
        // a word ("May", "Hope") does not wipe out ordinary lower-case text.
        var nameParts = new List<string>();
        foreach (var part in names.SelectMany(n => NameSplit().Split(n ?? "")))
        {
            if (part.Length < 3 || Titles.Contains(part)) continue;
            nameParts.Add(part);
            var withoutDigits = part.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9');
            if (withoutDigits.Length >= 3 && withoutDigits != part) nameParts.Add(withoutDigits);
        }

        _caseInsensitive = Build(exact, RegexOptions.IgnoreCase);
        _caseSensitive = Build(nameParts, RegexOptions.None);
    }

    private static readonly string[] BirthDateFormats =
        ["yyyy-MM-dd", "dd/MM/yyyy", "MM/dd/yyyy", "d/M/yyyy", "M/d/yyyy", "dd.MM.yyyy", "d MMMM yyyy", "d MMM yyyy", "MMMM d, yyyy", "MMM d, yyyy", "yyyyMMdd"];

    private static void Add(List<string> values, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value) && value.Trim().Length >= 3) values.Add(value.Trim());
    }

    public string Redact(string text)
    {
        if (text.Length == 0) return text;
        if (_caseInsensitive is not null) text = _caseInsensitive.Replace(text, Replacement);
        if (_caseSensitive is not null) text = _caseSensitive.Replace(text, Replacement);
        return text;
    }

    private static Regex? Build(List<string> values, RegexOptions options)
    {
        var distinct = values.Where(v => v.Length > 0).Distinct(StringComparer.Ordinal)
            .OrderByDescending(v => v.Length).ThenBy(v => v, StringComparer.Ordinal).ToList();
        if (distinct.Count == 0) return null;
        var alternatives = string.Join("|", distinct.Select(Regex.Escape));
        return new Regex($@"(?<![\p{{L}}\p{{N}}])(?:{alternatives})(?![\p{{L}}\p{{N}}])",
            options | RegexOptions.CultureInvariant, Infrastructure.RegexLimits.MatchTimeout);
    }

    [GeneratedRegex(@"[\s,.'()\-]+")]
    private static partial Regex NameSplit();
}

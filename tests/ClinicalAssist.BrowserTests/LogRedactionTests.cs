using System.Globalization;
using System.Text.Json;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// Structured logs carry no patient identifiers: the app serves the 41 Synthea patients of the shared fixtures (read
/// by path, never copied), a clinician browses the ward, opens charts, drafts and signs, a reviewer approves, an admin
/// reads the audit trail; then every line the app process wrote (stdout and stderr, at Information level) is scanned
/// for every patient's names, MRNs and other identifiers, and birth dates in the common written formats.
/// </summary>
public sealed class LogRedactionTests : BrowserTestBase
{
    private static string FixturesDirectory
    {
        get
        {
            foreach (var candidate in new[] { Path.Combine(RepoPaths.Root, "..", "shared", "fhir-samples", "synthea-r4"), "/work/shared/fhir-samples/synthea-r4" })
            {
                if (Directory.Exists(candidate)) return Path.GetFullPath(candidate);
            }
            throw new InvalidOperationException("The shared Synthea fixtures (../shared/fhir-samples/synthea-r4) are missing.");
        }
    }

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Fhir__Source"] = "Directory",
        ["Fhir__DirectoryPath"] = FixturesDirectory,
        // Everything the app logs at Information and above, ASP.NET Core and EF Core included.
        ["Logging__LogLevel__Microsoft.AspNetCore"] = "Information",
        ["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Information",
    };

    private static readonly string[] DateFormats =
        ["yyyy-MM-dd", "dd/MM/yyyy", "MM/dd/yyyy", "d/M/yyyy", "M/d/yyyy", "dd.MM.yyyy", "dd-MM-yyyy", "yyyyMMdd", "d MMM yyyy", "d MMMM yyyy", "MMM d, yyyy", "MMMM d, yyyy", "dd-MMM-yyyy"];

    /// <summary>Names (full and each part), identifier values and birth dates of every patient in the fixtures.</summary>
    private static (List<string> Identifiers, int Patients) ReadIdentifiers()
    {
        var values = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var patients = 0;
        foreach (var file in Directory.GetFiles(FixturesDirectory, "*.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(file));
            foreach (var entry in doc.RootElement.GetProperty("entry").EnumerateArray())
            {
                var resource = entry.GetProperty("resource");
                if (resource.GetProperty("resourceType").GetString() != "Patient") continue;
                patients++;
                foreach (var name in resource.TryGetProperty("name", out var names) ? names.EnumerateArray() : default)
                {
                    var given = name.TryGetProperty("given", out var g) ? g.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
                    var family = name.TryGetProperty("family", out var f) ? f.GetString() : null;
                    foreach (var part in given.Append(family).OfType<string>().Where(p => p.Length >= 4)) values.Add(part);
                    if (family is not null && given.Count > 0) values.Add($"{given[0]} {family}");
                }
                foreach (var identifier in resource.TryGetProperty("identifier", out var ids) ? ids.EnumerateArray() : default)
                {
                    if (identifier.TryGetProperty("value", out var v) && v.GetString() is { Length: >= 6 } value) values.Add(value);
                }
                if (resource.TryGetProperty("birthDate", out var birth) && DateOnly.TryParseExact(birth.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var born))
                {
                    foreach (var format in DateFormats) values.Add(born.ToString(format, CultureInfo.InvariantCulture));
                }
            }
        }
        return ([.. values], patients);
    }

    [Fact]
    public async Task After_a_full_journey_over_41_patients_no_log_line_holds_a_name_MRN_or_birth_date()
    {
        var (identifiers, patients) = ReadIdentifiers();
        Assert.True(patients >= 41, $"fixtures hold {patients} patients");
        Assert.True(identifiers.Count > patients * 10, "names, identifiers and birth dates in several formats");

        var clinician = await SignInAsync("clinician@demo.local");
        await clinician.GotoAsync(Url("patients"));
        await clinician.WaitForInteractiveAsync();
        await Expect(clinician.GetByTestId("patient-link").First).ToBeVisibleAsync(new() { Timeout = Patience.Ms(Patience.Long) });
        // Search by a name (search terms are identifiers too).
        var firstName = (await clinician.GetByTestId("patient-link").First.InnerTextAsync()).Trim();
        await clinician.GetByTestId("patient-search").FillAsync(firstName.Split(' ')[0]);
        await Expect(clinician.GetByTestId("patient-link").First).ToContainTextAsync(firstName.Split(' ')[0]);
        await clinician.GetByTestId("patient-search").FillAsync("");

        string? signed = null;
        for (var i = 0; i < 3; i++)
        {
            var name = await OpenPatientAsync(clinician, i);
            await clinician.GetByTestId("generate-summary").ClickAsync();
            await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Long) });
            if (await clinician.GetByTestId("citation-chip").CountAsync() > 0)
            {
                await clinician.GetByTestId("citation-chip").First.ClickAsync();
                await Expect(clinician.GetByTestId("citation-resource")).ToContainTextAsync("\"resourceType\"");
                await clinician.GetByTestId("citation-close").ClickAsync();
            }
            if (signed is null)
            {
                await clinician.GetByLabel("I reviewed this draft against the record").CheckAsync();
                await AcknowledgeCriticalWarningsAsync(clinician);
                await clinician.GetByTestId("sign-draft").ClickAsync();
                await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Signed");
                signed = name;
            }
        }
        await SignOutAsync(clinician);

        var reviewer = await SignInAsync("reviewer@demo.local");
        await reviewer.GotoAsync(Url("review"));
        await reviewer.WaitForInteractiveAsync();
        await reviewer.GetByTestId("review-link").Filter(new() { HasText = signed }).ClickAsync();
        await reviewer.GetByTestId("approve").ClickAsync();
        await Expect(reviewer.GetByTestId("record-status")).ToHaveTextAsync("Approved");
        await SignOutAsync(reviewer);

        var admin = await SignInAsync("admin@demo.local");
        await admin.GotoAsync(Url("admin/audit"));
        await admin.WaitForInteractiveAsync();
        await Expect(admin.GetByTestId("audit-table")).ToContainTextAsync("review.approved");
        await admin.Context.CloseAsync();

        Assert.True(AllAppOutput.Count() > 20, "the app logged the journey");
        AssertLogsFreeOf(identifiers);
    }
}

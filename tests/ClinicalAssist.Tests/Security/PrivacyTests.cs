using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Context;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Security;

/// <summary>
/// Over the security suite's run (the whole authorization matrix, every chart of the ward, drafts decided every way,
/// draft records opened): no patient name, MRN or birth date in any log line, and one audit event for every chart
/// view, every draft-record view and every decision. Writes artifacts/security/privacy.md.
/// </summary>
[Collection(SecuritySuite.Name)]
public sealed partial class PrivacyTests(SecurityRun run)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A patient's name (and its parts of 4+ letters), MRN and birth date in common written formats.</summary>
    public static IEnumerable<string> Identifiers(PatientSummary patient)
    {
        yield return patient.DisplayName;
        foreach (var part in NameParts().Split(patient.DisplayName).Where(p => p.Length >= 4)) yield return part;
        if (patient.Mrn is { Length: > 0 } mrn) yield return mrn;
        if (patient.BirthDate is { } born)
        {
            foreach (var format in new[] { "yyyy-MM-dd", "dd/MM/yyyy", "MM/dd/yyyy", "d/M/yyyy", "M/d/yyyy", "dd.MM.yyyy", "dd-MM-yyyy", "yyyyMMdd", "d MMM yyyy", "d MMMM yyyy", "MMM d, yyyy", "MMMM d, yyyy", "dd-MMM-yyyy" })
                yield return born.ToString(format, CultureInfo.InvariantCulture);
        }
    }

    [GeneratedRegex(@"[\s,.'()-]+")]
    private static partial Regex NameParts();

    public static List<string> Leaks(IEnumerable<string> lines, IReadOnlyList<PatientSummary> patients)
    {
        var identifiers = patients.SelectMany(Identifiers).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return lines.SelectMany(line => identifiers.Where(id => line.Contains(id, StringComparison.OrdinalIgnoreCase)).Select(id => $"'{id}' in: {line}")).ToList();
    }

    [Fact]
    public void No_demo_patient_name_MRN_or_birth_date_appears_in_any_log_line_of_the_suite()
    {
        Assert.True(run.Patients.Count >= 12);
        Assert.All(run.Patients, p => Assert.NotNull(p.BirthDate));
        var lines = run.Host.Logs.Lines.ToList();
        Assert.True(lines.Count > 500, $"{lines.Count} log entries captured");
        // The search can find one: a line the test writes itself is caught.
        Assert.NotEmpty(Leaks([$"Information Test: chart of {run.Patients[0].DisplayName}"], run.Patients));
        var leaks = Leaks(lines, run.Patients);
        Assert.True(leaks.Count == 0, $"Patient identifiers in {leaks.Count} log line(s):\n" + string.Join("\n", leaks.Take(20)));
    }

    [Fact]
    public async Task Every_chart_view_draft_view_and_decision_of_the_suite_has_its_audit_event()
    {
        await using var db = await run.Host.Factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct);
        var counts = await db.AuditEvents.GroupBy(a => a.Action).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, Ct);
        int Count(string action) => counts.GetValueOrDefault(action);

        var decisionActions = new[] { AuditActions.DraftSigned, AuditActions.DraftRejected, AuditActions.DraftApproved, AuditActions.DraftReturned };
        var auditedDecisions = decisionActions.Sum(Count);
        var sb = new StringBuilder();
        sb.AppendLine("| Made during the run | Count | Audit events | Action |");
        sb.AppendLine("|---|---|---|---|");
        sb.AppendLine($"| chart views (responses carrying the chart) + admitted form posts that assembled it (400, no page) | {run.ChartViews} + {run.ChartAssembledNotShown} | {Count(AuditActions.ChartViewed)} | `{AuditActions.ChartViewed}` |");
        sb.AppendLine($"| draft-record views + admitted form posts that loaded it (400, no page) | {run.DraftViews} + {run.DraftLoadedNotShown} | {Count(AuditActions.DraftViewed)} | `{AuditActions.DraftViewed}` |");
        foreach (var action in decisionActions)
        {
            sb.AppendLine($"| decisions: {action} | {run.DecisionsByAction.GetValueOrDefault(action)} | {Count(action)} | `{action}` |");
        }
        sb.AppendLine($"| decisions, total | {run.Decisions} | {auditedDecisions} | |");
        sb.AppendLine($"| decision refused by the workflow (not made) | 1 | {Count(AuditActions.DecisionRefused)} | `{AuditActions.DecisionRefused}` |");
        sb.AppendLine();
        sb.AppendLine($"Log lines captured: {run.Host.Logs.Lines.Count}; lines holding a demo patient's name, name part, MRN or birth date: {Leaks(run.Host.Logs.Lines, run.Patients).Count}. "
            + $"Patients: {run.Patients.Count} (demo ward). Matrix: {run.MatrixDuration.TotalSeconds:0.0} s; whole run (host start, sign-ins, drafts, matrix, flow): {run.RunDuration.TotalSeconds:0.0} s.");
        var directory = Path.Combine(AuthorizationMatrixTests.RepoRoot(), "artifacts", "security");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "privacy.md"), sb.ToString(), Ct);

        // Refused requests never rendered a chart (no audit event without a view), and every view is audited once.
        Assert.True(run.ChartViews >= run.Patients.Count + 2, $"{run.ChartViews} chart views");
        Assert.Equal(run.ChartViews + run.ChartAssembledNotShown, Count(AuditActions.ChartViewed));
        Assert.Equal(run.DraftViews + run.DraftLoadedNotShown, Count(AuditActions.DraftViewed));
        Assert.Equal(5, run.Decisions);
        foreach (var action in decisionActions) Assert.Equal(run.DecisionsByAction.GetValueOrDefault(action), Count(action));
        Assert.Equal(1, Count(AuditActions.DecisionRefused));
        // Each chart.viewed event names the viewer and the patient.
        Assert.All(await db.AuditEvents.Where(a => a.Action == AuditActions.ChartViewed).ToListAsync(Ct), a =>
        {
            Assert.False(string.IsNullOrEmpty(a.UserId));
            Assert.Contains(a.PatientId, run.Patients.Select(p => p.Id));
        });
    }

    [Fact]
    public async Task Synthea_charts_viewed_through_the_Directory_source_log_no_patient_name_MRN_or_birth_date()
    {
        var data = Directory.CreateTempSubdirectory("clinicalassist-privacy-").FullName;
        var logs = new CapturingLogs();
        try
        {
            // Every fourth Synthea bundle (11 of 41, copied to a temp folder: indexing all 43 MB costs ~20 s more).
            var records = Directory.CreateDirectory(Path.Combine(data, "records")).FullName;
            var sample = Directory.GetFiles(ContextTestSupport.SyntheaDirectory(), "*.json").Order(StringComparer.Ordinal).Where((_, i) => i % 4 == 0).ToList();
            foreach (var file in sample) File.Copy(file, Path.Combine(records, Path.GetFileName(file)));
            await using var factory = Infrastructure.AppFactory.Create(data, new Dictionary<string, string?>
            {
                ["DemoUsers:Password"] = SecurityHost.Password,
                ["Fhir:Source"] = "Directory",
                ["Fhir:DirectoryPath"] = records,
                ["Logging:LogLevel:Default"] = "Information",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
                ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information",
            }, services => services.AddSingleton<Microsoft.Extensions.Logging.ILoggerProvider>(logs));
            var patients = await factory.Services.GetRequiredService<IPatientRecordSource>().SearchPatientsAsync(null, Ct);
            Assert.Equal(sample.Count, patients.Count);

            using var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
            var page = await client.GetStringAsync("/Account/Login", Ct);
            var token = WebUtility.HtmlDecode(Regex.Match(page, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value);
            using var form = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("_handler", "login"),
                new("Input.Email", "clinician@demo.local"), new("Input.Password", SecurityHost.Password)]);
            Assert.Equal(HttpStatusCode.Redirect, (await client.PostAsync("/Account/Login", form, Ct)).StatusCode);

            var ward = await client.GetStringAsync("/patients", Ct);
            Assert.Contains(WebUtility.HtmlEncode(patients[0].DisplayName), ward);
            // Every other one of their charts (6 charts: bounded run time), each audited.
            var viewed = patients.Where((_, i) => i % 2 == 0).ToList();
            foreach (var patient in viewed)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/patients/{Uri.EscapeDataString(patient.Id)}", Ct)).StatusCode);
            }
            await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct))
            {
                Assert.Equal(viewed.Count, await db.AuditEvents.CountAsync(a => a.Action == AuditActions.ChartViewed, Ct));
            }

            var leaks = Leaks(logs.Lines, patients);
            Assert.True(logs.Lines.Count > 50);
            Assert.True(leaks.Count == 0, $"Synthea patient identifiers in {leaks.Count} log line(s):\n" + string.Join("\n", leaks.Take(20)));
            var directory = Path.Combine(AuthorizationMatrixTests.RepoRoot(), "artifacts", "security");
            Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, "privacy-synthea.md"),
                $"Synthea (Directory source, {patients.Count} of the 41 samples): ward list + {viewed.Count} charts viewed -> {viewed.Count} `chart.viewed` audit events; "
                + $"log lines captured: {logs.Lines.Count}; lines holding a patient's name, name part, MRN or birth date: {leaks.Count}.\n", Ct);
        }
        finally
        {
            Infrastructure.AppFactory.DeleteDirectory(data);
        }
    }
}

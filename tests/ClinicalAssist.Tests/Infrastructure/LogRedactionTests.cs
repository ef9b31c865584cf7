using ClinicalAssist.Tests.Support;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClinicalAssist.Tests.Infrastructure;

/// <summary>
/// Structured logs carry no patient identifiers, for the embedded demo ward: every log entry of the real app (all
/// categories at Information and above, with exception text and scopes) is captured while users sign in, open the
/// ward and every chart (server-rendered), drafts are generated, signed, returned and approved, and the audit trail is
/// viewed and exported; then each entry is searched for every demo patient's name (and name parts), MRN and birth date
/// written in common formats. (The browser journeys check the console log of the real process as well.)
/// </summary>
public sealed partial class LogRedactionTests : IDisposable
{
    private const string Password = "Redaction-test-1!";
    private readonly string _data = Directory.CreateTempSubdirectory("clinicalassist-redact-").FullName;

    public void Dispose() => AppFactory.DeleteDirectory(_data);

    private sealed class CapturingProvider : ILoggerProvider, ISupportExternalScope
    {
        public ConcurrentQueue<string> Lines { get; } = new();
        private IExternalScopeProvider? _scopes;
        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);
        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;
        public void Dispose() { }

        private sealed class Logger(CapturingProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider._scopes?.Push(state);
            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel)) return;
                var scopes = new List<string>();
                provider._scopes?.ForEachScope((scope, list) => list.Add(scope?.ToString() ?? ""), scopes);
                var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
                provider.Lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} | {values} | {string.Join(" => ", scopes)} | {exception}");
            }
        }
    }

    private static IEnumerable<string> Identifiers(PatientSummary patient)
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

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    private static async Task<HttpClient> SignInAsync(WebApplicationFactory<Program> factory, string email)
    {
        var ct = TestContext.Current.CancellationToken;
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await client.GetStringAsync("/Account/Login", ct);
        var token = WebUtility.HtmlDecode(AntiforgeryToken().Match(page).Groups[1].Value);
        using var form = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("_handler", "login"), new("Input.Email", email), new("Input.Password", Password)]);
        var response = await client.PostAsync("/Account/Login", form, ct);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.DoesNotContain("/Account/Login", response.Headers.Location!.ToString(), StringComparison.Ordinal);
        return client;
    }

    [Fact]
    public async Task A_journey_over_the_demo_ward_logs_no_name_MRN_or_birth_date()
    {
        var ct = TestContext.Current.CancellationToken;
        var logs = new CapturingProvider();
        await using var factory = AppFactory.Create(_data, new Dictionary<string, string?>
        {
            ["DemoUsers:Password"] = Password,
            ["Logging:LogLevel:Default"] = "Information",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information",
        }, services => services.AddSingleton<ILoggerProvider>(logs));

        var patients = await factory.Services.GetRequiredService<IPatientRecordSource>().SearchPatientsAsync(null, ct);
        Assert.True(patients.Count >= 12);
        Assert.All(patients, p => Assert.NotNull(p.BirthDate));
        var identifiers = patients.SelectMany(Identifiers).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        // Clinician: the ward and every chart, server-rendered (the same components the circuit runs).
        using var clinician = await SignInAsync(factory, "clinician@demo.local");
        var ward = await clinician.GetStringAsync("/patients", ct);
        Assert.Contains(WebUtility.HtmlEncode(patients[0].DisplayName), ward); // the page does show the names
        foreach (var patient in patients)
        {
            var chart = await clinician.GetAsync($"/patients/{Uri.EscapeDataString(patient.Id)}", ct);
            Assert.Equal(HttpStatusCode.OK, chart.StatusCode);
        }

        // Drafts for three patients: one signed and approved, one signed and returned, one rejected.
        await using var scope = factory.Services.CreateAsyncScope();
        var builder = scope.ServiceProvider.GetRequiredService<PatientContextBuilder>();
        var generator = factory.Services.GetRequiredService<DraftGenerator>();
        var workflow = factory.Services.GetRequiredService<DraftWorkflow>();
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct))
        {
            await TestStaff.SeedAsync(db, ct);
        }
        var clinicianActor = new Actor("clinician-redaction", "Dr Redaction");
        var reviewerActor = new Actor("reviewer-redaction", "Dr Review");
        var drafts = new List<Guid>();
        foreach (var patient in patients.Take(3))
        {
            var context = await builder.BuildAsync(patient.Id, ct);
            drafts.Add(await generator.GenerateAsync(context!, "Demo", clinicianActor, _ => Task.CompletedTask, ct));
        }
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(ct))
        {
            var texts = await db.Drafts.Where(d => drafts.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.GeneratedText, ct);
            Assert.All(texts.Values, t => Assert.NotEmpty(t));
            Assert.True((await workflow.SignAsync(drafts[0], texts[drafts[0]], true, clinicianActor, ct)).Succeeded);
            Assert.True((await workflow.SignAsync(drafts[1], texts[drafts[1]] + "\nEdited.", true, clinicianActor, ct)).Succeeded);
            Assert.True((await workflow.RejectAsync(drafts[2], "omission", "Misses the fall.", clinicianActor, ct)).Succeeded);
            Assert.True((await workflow.ReviewAsync(drafts[0], true, null, null, reviewerActor, ct)).Succeeded);
            Assert.True((await workflow.ReviewAsync(drafts[1], false, "wrong-data", "Check potassium.", reviewerActor, ct)).Succeeded);
        }

        using var reviewer = await SignInAsync(factory, "reviewer@demo.local");
        Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync("/review", ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await reviewer.GetAsync($"/drafts/{drafts[0]}", ct)).StatusCode);

        using var admin = await SignInAsync(factory, "admin@demo.local");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/admin/audit", ct)).StatusCode);
        var csv = await admin.GetStringAsync("/admin/audit/export.csv", ct);
        Assert.Contains("review.approved", csv);

        // A failed sign-in and a page that does not exist log too.
        using var stranger = factory.CreateClient();
        await stranger.GetAsync("/patients/does-not-exist", ct);

        var lines = logs.Lines.ToList();
        Assert.True(lines.Count > 50, $"{lines.Count} log entries captured");
        var leaks = lines.SelectMany(line => identifiers.Where(id => line.Contains(id, StringComparison.OrdinalIgnoreCase)).Select(id => $"'{id}' in: {line}")).ToList();
        Assert.True(leaks.Count == 0, "Patient identifiers in the log:\n" + string.Join("\n", leaks.Take(20)));
    }
}

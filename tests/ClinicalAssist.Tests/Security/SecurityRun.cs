using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Security;

public enum Outcome { Allowed, Refused, NotFound, BadRequest, Error }

/// <summary>One cell: a route requested by a principal.</summary>
public sealed record Cell(RouteRule Rule, Principal Principal, bool Expected, Outcome Outcome, int Status, string? Location, string? ContentLeak)
{
    /// <summary>A public route "admits" when it answers without refusing or failing (a 404 for an endpoint that is
    /// switched off, or a 400 for a form post without a named form, is an answer).</summary>
    public bool Actual => Outcome switch
    {
        Outcome.Allowed => true,
        Outcome.NotFound or Outcome.BadRequest => Rule.Access == Access.Public || Rule.Method == "POST",
        _ => false,
    };

    public bool Leak => !Expected && (Actual || ContentLeak is not null);
    public bool Mismatch => Expected != Actual || Outcome == Outcome.Error || ContentLeak is not null;
}

[CollectionDefinition(Name)]
public sealed class SecuritySuite : ICollectionFixture<SecurityRun>
{
    public const string Name = "Security suite (one app host)";
}

/// <summary>
/// One run of the security suite against one in-process app: sign-ins, the whole authorization matrix, then a
/// clinician → reviewer flow (every chart viewed, drafts generated, signed, rejected, approved, returned, draft
/// records opened). The tests read the results; the privacy test reads the captured logs and the audit trail.
/// </summary>
public sealed partial class SecurityRun : IAsyncLifetime
{
    public SecurityHost Host { get; } = new();
    public IReadOnlyDictionary<Principal, string> SignInAgain { get; private set; } = null!;
    public List<Cell> Cells { get; } = [];
    public IReadOnlyList<PatientSummary> Patients { get; private set; } = [];
    public string PatientId => Patients[0].Id;
    public List<Guid> Drafts { get; } = [];
    public Guid ModelId { get; private set; }
    public TimeSpan MatrixDuration { get; private set; }

    /// <summary>Responses that carried a chart / a draft record page over HTTP, to anyone, during the run.</summary>
    public int ChartViews { get; private set; }
    public int DraftViews { get; private set; }
    /// <summary>Admitted form posts to the chart / draft page: the component ran (and audited) but the 400 carried no page.</summary>
    public int ChartAssembledNotShown { get; private set; }
    public int DraftLoadedNotShown { get; private set; }
    /// <summary>Decisions made during the run (sign, reject, approve, return), each one that succeeded.</summary>
    public int Decisions { get; private set; }
    public Dictionary<string, int> DecisionsByAction { get; } = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The whole run: host start, sign-ins, drafts, matrix, clinical flow.</summary>
    public TimeSpan RunDuration { get; private set; }

    public async ValueTask InitializeAsync()
    {
        var total = System.Diagnostics.Stopwatch.StartNew();
        var services = Host.Factory.Services;
        Patients = await services.GetRequiredService<IPatientRecordSource>().SearchPatientsAsync(null, Ct);
        SignInAgain = await Host.SignInAllAsync();

        await using (var db = await services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct))
        {
            ModelId = await db.ModelConfigurations.Select(m => m.Id).FirstOrDefaultAsync(Ct);
        }
        if (ModelId == Guid.Empty) ModelId = Guid.NewGuid();

        // Three offline drafts by the demo clinician (so /drafts/{id} shows a real record).
        var clinician = await Host.ActorAsync(Principal.Clinician);
        await using (var scope = services.CreateAsyncScope())
        {
            var builder = scope.ServiceProvider.GetRequiredService<PatientContextBuilder>();
            var generator = services.GetRequiredService<DraftGenerator>();
            foreach (var patient in Patients.Take(3))
            {
                var context = await builder.BuildAsync(patient.Id, Ct);
                Drafts.Add(await generator.GenerateAsync(context!, "Demo", clinician, _ => Task.CompletedTask, Ct));
            }
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        await RunMatrixAsync();
        MatrixDuration = started.Elapsed;
        await RunClinicalFlowAsync(clinician);
        RunDuration = total.Elapsed;
    }

    private string Url(RouteRule rule) => rule.Url
        .Replace("{patient}", Uri.EscapeDataString(PatientId), StringComparison.Ordinal)
        .Replace("{draft}", Drafts[0].ToString(), StringComparison.Ordinal)
        .Replace("{model}", ModelId.ToString(), StringComparison.Ordinal);

    private async Task RunMatrixAsync()
    {
        foreach (var rule in AuthorizationMatrix.Rules.Append(AuthorizationMatrix.StaticAssets))
        {
            // What the page shows to someone it admits: its <title>, and for a chart or draft the patient's name.
            var allowedBodies = new List<string>();
            var results = new List<(Principal P, HttpStatusCode Status, string? Location, string Body)>();
            foreach (var p in AuthorizationMatrix.Principals)
            {
                var (status, location, body) = await RequestAsync(rule, p);
                results.Add((p, status, location, body));
                if (AuthorizationMatrix.Admits(rule.Access, p) && status == HttpStatusCode.OK) allowedBodies.Add(body);
            }
            var markers = ProtectedMarkers(rule, allowedBodies);
            foreach (var (p, status, location, body) in results)
            {
                var outcome = Classify(status, location, body);
                var expected = AuthorizationMatrix.Admits(rule.Access, p);
                var leak = expected ? null : markers.FirstOrDefault(m => body.Contains(m, StringComparison.Ordinal));
                Cells.Add(new Cell(rule, p, expected, outcome, (int)status, location, leak));
                // A view is a response that carries the page. A form post (valid token, no named form) by someone the
                // page admits is answered 400 without the page, but the page component ran: it assembled the chart /
                // loaded the draft for that user, and audits it. Counted apart.
                var admitted = Classify(status, location, body) != Outcome.Refused && (int)status < 500;
                if (rule.Pattern == "/patients/{PatientId}" && admitted)
                {
                    if (body.Contains("<title>Patient chart", StringComparison.Ordinal)) ChartViews++; else ChartAssembledNotShown++;
                }
                if (rule.Pattern == "/drafts/{Id:guid}" && admitted)
                {
                    if (body.Contains("<title>Draft record", StringComparison.Ordinal)) DraftViews++; else DraftLoadedNotShown++;
                }
            }
        }
    }

    private List<string> ProtectedMarkers(RouteRule rule, List<string> allowedBodies)
    {
        var markers = new List<string>();
        if (rule.Access == Access.Public) return markers;
        foreach (var body in allowedBodies)
        {
            if (Title().Match(body) is { Success: true } title && title.Groups[1].Value.Trim() is { Length: > 0 } text
                && !text.StartsWith("Sign in", StringComparison.Ordinal))
            {
                markers.Add("<title>" + text);
            }
        }
        if (rule.Pattern.Contains("{PatientId}", StringComparison.Ordinal)) markers.Add(WebUtility.HtmlEncode(Patients[0].DisplayName));
        if (rule.Pattern.StartsWith("/drafts/", StringComparison.Ordinal)) markers.Add(WebUtility.HtmlEncode(Patients[0].DisplayName));
        if (rule.Pattern.EndsWith(".csv", StringComparison.Ordinal)) markers.Add("draft_id,");
        return markers.Distinct().ToList();
    }

    private async Task<(HttpStatusCode Status, string? Location, string Body)> RequestAsync(RouteRule rule, Principal p)
    {
        // Sign-out (and the app's own end-of-session route) end the session whose cookie they get: sent with a fresh
        // sign-in of the same principal, so the kept cookies stay valid for the rows that follow.
        var endsSession = rule.Pattern is "/Account/Logout" or "/Account/SignedOut";
        var cookies = endsSession && p is Principal.Clinician or Principal.Reviewer or Principal.Admin
            ? await Host.SignInFreshAsync(p)
            : Host.CookiesOf(p);
        var post = rule.Method == "POST";
        string? token = null;
        if (post) (token, _) = await Host.AntiforgeryAsync(cookies);
        using var request = SecurityHost.Request(post ? HttpMethod.Post : HttpMethod.Get, Url(rule), cookies);
        if (post) request.Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token!)]);
        using var response = await Host.Client.SendAsync(request, Ct);
        Host.KeepRenewedSignIn(p, response);
        return (response.StatusCode, response.Headers.Location?.ToString(), await response.Content.ReadAsStringAsync(Ct));
    }

    public static Outcome Classify(HttpStatusCode status, string? location, string body)
    {
        var code = (int)status;
        if (code is 401 or 403) return Outcome.Refused;
        if (code is >= 300 and < 400 && location is not null
            && (location.Contains("/Account/Login?ReturnUrl=", StringComparison.OrdinalIgnoreCase)
                || location.Contains("/Account/AccessDenied", StringComparison.OrdinalIgnoreCase)))
        {
            return Outcome.Refused;
        }
        if (body.Contains("Your role does not give access to this page", StringComparison.Ordinal)) return Outcome.Refused;
        return code switch
        {
            >= 500 => Outcome.Error,
            404 or 405 => Outcome.NotFound,
            400 => Outcome.BadRequest,
            _ => Outcome.Allowed,
        };
    }

    [GeneratedRegex("<title>([^<]*)</title>")]
    private static partial Regex Title();

    /// <summary>The clinician opens every chart of the ward; drafts are decided (sign ×2, reject, approve, return);
    /// the reviewer opens each draft record.</summary>
    private async Task RunClinicalFlowAsync(Actor clinician)
    {
        foreach (var patient in Patients)
        {
            using var request = SecurityHost.Request(HttpMethod.Get, $"/patients/{Uri.EscapeDataString(patient.Id)}", Host.CookiesOf(Principal.Clinician));
            using var response = await Host.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            ChartViews++;
        }

        var reviewer = await Host.ActorAsync(Principal.Reviewer);
        var workflow = Host.Factory.Services.GetRequiredService<DraftWorkflow>();
        Dictionary<Guid, string> texts;
        await using (var db = await Host.Factory.Services.GetRequiredService<IDbContextFactory<AppDbContext>>().CreateDbContextAsync(Ct))
        {
            texts = await db.Drafts.Where(d => Drafts.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.GeneratedText, Ct);
        }
        Decide(AuditActions.DraftSigned, await workflow.SignAsync(Drafts[0], texts[Drafts[0]], true, clinician, Ct));
        Decide(AuditActions.DraftSigned, await workflow.SignAsync(Drafts[1], texts[Drafts[1]] + "\nEdited.", true, clinician, Ct));
        Decide(AuditActions.DraftRejected, await workflow.RejectAsync(Drafts[2], "omission", "Misses the fall.", clinician, Ct));
        Decide(AuditActions.DraftApproved, await workflow.ReviewAsync(Drafts[0], true, null, null, reviewer, Ct));
        Decide(AuditActions.DraftReturned, await workflow.ReviewAsync(Drafts[1], false, "wrong-data", "Check potassium.", reviewer, Ct));
        // A decision the workflow must refuse (the reviewer cannot approve a rejected draft): not a decision made.
        var refused = await workflow.ReviewAsync(Drafts[2], true, null, null, reviewer, Ct);
        Assert.False(refused.Succeeded);

        foreach (var draft in Drafts)
        {
            using var request = SecurityHost.Request(HttpMethod.Get, $"/drafts/{draft}", Host.CookiesOf(Principal.Reviewer));
            using var response = await Host.Client.SendAsync(request, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            DraftViews++;
        }
    }

    private void Decide(string action, DecisionResult result)
    {
        Assert.True(result.Succeeded, result.Message);
        Decisions++;
        DecisionsByAction[action] = DecisionsByAction.GetValueOrDefault(action) + 1;
    }

    /// <summary>The matrix as markdown: one row per route and method, one column per principal; each cell "allowed" or
    /// "refused" with the status, and the expectation where it differs.</summary>
    public string Markdown()
    {
        var sb = new StringBuilder();
        var leaks = Cells.Count(c => c.Leak);
        var mismatches = Cells.Count(c => c.Mismatch);
        sb.AppendLine($"Routes: {Cells.Select(c => c.Rule.Key).Distinct().Count()} (method × pattern) × principals: {AuthorizationMatrix.Principals.Count} = {Cells.Count} cells. "
            + $"**Leaks found: {leaks}.** Cells differing from the declared matrix: {mismatches}.");
        sb.AppendLine();
        sb.AppendLine("Legend: ✅ allowed, ⛔ refused (redirect to sign-in / access denied, 401/403), with the status (→ redirect path); "
            + "**LEAK** = expected refused but reached; **DIFF** = expected allowed but refused or failed. Disabled and Locked hold every role and were "
            + "disabled / locked by an admin after signing in (their cookie is replayed).");
        sb.AppendLine();
        sb.AppendLine("| Route | Declared | " + string.Join(" | ", AuthorizationMatrix.Principals) + " |");
        sb.AppendLine("|---|---|" + string.Concat(AuthorizationMatrix.Principals.Select(_ => "---|")));
        foreach (var row in Cells.GroupBy(c => c.Rule.Key))
        {
            var rule = row.First().Rule;
            sb.Append($"| `{rule.Key}` | {rule.Access} |");
            foreach (var cell in row)
            {
                var mark = cell.Actual ? "✅" : "⛔";
                var where = cell.Location is { } loc ? " → " + new Uri(new Uri("http://x"), loc).AbsolutePath : "";
                var flag = cell.Leak ? " **LEAK**" : cell.Mismatch ? " **DIFF**" : "";
                sb.Append($" {mark} {cell.Status}{where}{flag} |");
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }

    public async ValueTask DisposeAsync() => await Host.DisposeAsync();
}

using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Drafting;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Security;

/// <summary>
/// Authority at the moment of action: an account whose role is removed, or which is disabled or locked (through the
/// product's own user administration) while its page stays open, acts with what the page still believes. Every cell
/// of {role removed, disabled, locked} × {generate, sign, reject, approve, return, grant Admin, add a prompt template
/// version} must be refused, change
/// nothing and leave one "authority.refused" audit row (outcome refused, no patient text); the control row (nothing
/// revoked) shows the same actions succeed, so the matrix can tell the two apart.
/// Writes artifacts/security/revocation-matrix.md.
/// </summary>
public sealed class RevocationMatrixTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Revocations = ["none (control)", "role removed", "account disabled", "account locked", "signed out (another tab)"];
    private static readonly string[] Actions = ["generate", "sign", "reject", "approve", "return", "grant Admin", "add template version"];

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;
    private TestHost _host = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _host = TestHost.Create(_db, new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero), time: _clock, configure: services =>
        {
            services.AddIdentityCore<ApplicationUser>().AddRoles<IdentityRole>().AddEntityFrameworkStores<AppDbContext>();
            services.AddSingleton<UserAdministration>();
            services.AddSingleton<ClinicalAssist.Web.Infrastructure.AccountChanges>();
            services.AddSingleton<ClinicalAssist.Web.Infrastructure.SignInSessions>();
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        await _db.DisposeAsync();
    }

    private sealed record Cell(string Revocation, string Action, bool Succeeded, string Message, int RefusedAuditRows, bool StateUnchanged, bool PatientTextInAudit);

    [Fact]
    public async Task No_action_succeeds_after_the_role_is_removed_or_the_account_disabled_or_locked()
    {
        var cells = new List<Cell>();
        var n = 0;
        foreach (var revocation in Revocations)
        {
            foreach (var action in Actions)
            {
                cells.Add(await RunCellAsync(revocation, action, $"cell{n++}"));
            }
        }

        await WriteReportAsync(cells);

        var control = cells.Where(c => c.Revocation == Revocations[0]).ToList();
        Assert.All(control, c => Assert.True(c.Succeeded, $"control {c.Action}: {c.Message}"));
        var revoked = cells.Where(c => c.Revocation != Revocations[0]).ToList();
        Assert.Equal((Revocations.Length - 1) * Actions.Length, revoked.Count);
        Assert.All(revoked, c =>
        {
            Assert.False(c.Succeeded, $"{c.Revocation} / {c.Action} succeeded");
            Assert.True(c.StateUnchanged, $"{c.Revocation} / {c.Action} changed something");
            Assert.Equal(1, c.RefusedAuditRows);
            Assert.False(c.PatientTextInAudit, $"{c.Revocation} / {c.Action}: patient text in the audit row");
            Assert.EndsWith("nothing was changed.", c.Message, StringComparison.Ordinal);
        });
        Assert.Contains(revoked, c => c.Message == "Your account no longer has the Reviewer role; nothing was changed.");
        Assert.All(revoked.Where(c => c.Revocation.StartsWith("signed out", StringComparison.Ordinal)),
            c => Assert.StartsWith("You have signed out of this session", c.Message, StringComparison.Ordinal));
    }

    private async Task<Cell> RunCellAsync(string revocation, string action, string key)
    {
        var role = action switch
        {
            "generate" or "sign" or "reject" => Roles.Clinician,
            "approve" or "return" => Roles.Reviewer,
            _ => Roles.Admin,
        };
        var actor = await AddAccountAsync(key + "-actor", role);
        var target = await AddAccountAsync(key + "-target", Roles.Clinician);
        var generator = _host.Get<DraftGenerator>();
        var workflow = _host.Get<DraftWorkflow>();

        // The page is open before the change: the draft it shows already exists.
        Guid? draftId = action switch
        {
            "sign" or "reject" => await GenerateAsync(generator, actor),
            "approve" or "return" => await SignedByStaffAsync(generator, workflow),
            _ => null,
        };
        var before = await StateAsync(draftId, actor, target);

        await RevokeAsync(revocation, actor);

        bool succeeded;
        string message;
        switch (action)
        {
            case "generate":
                try
                {
                    await GenerateAsync(generator, actor);
                    (succeeded, message) = (true, "generated");
                }
                catch (AuthorityRefusedException refused)
                {
                    (succeeded, message) = (false, refused.Message);
                }
                break;
            case "sign":
                (succeeded, message) = Of(await workflow.SignAsync(draftId!.Value, "Signed text [L1].", attested: true, actor, Ct,
                    acknowledged: await CriticalWarningsAsync(draftId.Value, "Signed text [L1].")));
                break;
            case "reject":
                (succeeded, message) = Of(await workflow.RejectAsync(draftId!.Value, "omission", null, actor, Ct));
                break;
            case "approve":
            case "return":
                (succeeded, message) = Of(await workflow.ReviewAsync(draftId!.Value, action == "approve", action == "approve" ? null : "omission", null, actor, Ct));
                break;
            case "grant Admin":
                var result = await _host.Get<UserAdministration>().SetRolesAsync(target.Id, [Roles.Clinician, Roles.Admin], actor, Ct);
                (succeeded, message) = (result.Succeeded, result.Message);
                break;
            default:
                var body = PromptBuilder.EmbeddedTemplates().First(t => t.TemplateId == PromptBuilder.TemplateId).Body + "\nCell " + key + ".";
                var added = await _host.Get<PromptTemplateAdmin>().AddVersionAsync(PromptBuilder.TemplateId, body, "matrix", actor, Ct);
                (succeeded, message) = (added.Succeeded, added.Message);
                break;
        }

        await using var db = _db.CreateDbContext();
        var refusals = await db.AuditEvents.AsNoTracking()
            .Where(e => e.UserId == actor.Id && e.Action == AuditActions.ActionRefused && e.Outcome == "refused").ToListAsync(Ct);
        var after = await StateAsync(draftId, actor, target);
        var patientText = refusals.Any(e => (e.Details ?? "").Contains(DraftingTestData.PatientName, StringComparison.OrdinalIgnoreCase)
            || (e.Details ?? "").Contains(DraftingTestData.Mrn, StringComparison.OrdinalIgnoreCase));
        return new Cell(revocation, action, succeeded, message, refusals.Count, before == after, patientText);
    }

    private static (bool, string) Of(DecisionResult result) => (result.Succeeded, result.Message);

    private async Task<Guid> GenerateAsync(DraftGenerator generator, Actor clinician) =>
        await generator.GenerateAsync(DraftingTestData.Context(), "Demo", clinician, _ => Task.CompletedTask, Ct);

    /// <summary>The critical warnings of the draft for this text, acknowledged as the clinician would (docs/adr/0029).</summary>
    private async Task<IReadOnlyCollection<string>> CriticalWarningsAsync(Guid draftId, string text)
    {
        await using var db = _db.CreateDbContext();
        var draft = await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == draftId, Ct);
        return [.. DraftWarningTiers.Current(draft, text).Where(w => w.NeedsAcknowledgement).Select(w => w.Id)];
    }

    /// <summary>A draft generated and signed by the seeded clinician "u-clin", waiting for a reviewer.</summary>
    private async Task<Guid> SignedByStaffAsync(DraftGenerator generator, DraftWorkflow workflow)
    {
        var staff = new Actor("u-clin", "Dr Clinician");
        var id = await GenerateAsync(generator, staff);
        const string text = "Signed text [L1].";
        var signed = await workflow.SignAsync(id, text, attested: true, staff, Ct, acknowledged: await CriticalWarningsAsync(id, text));
        Assert.True(signed.Succeeded, signed.Message);
        return id;
    }

    /// <summary>What an action would change: the draft's status, the drafts of the actor, the target's roles, the
    /// prompt template versions.</summary>
    private async Task<string> StateAsync(Guid? draftId, Actor actor, Actor target)
    {
        await using var db = _db.CreateDbContext();
        var status = draftId is { } id ? (await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == id, Ct)).Status.ToString() : "-";
        var drafts = await db.Drafts.CountAsync(d => d.CreatedById == actor.Id, Ct);
        var targetRoles = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == target.Id select r.Name).ToListAsync(Ct);
        var templateVersions = await db.PromptTemplateVersions.CountAsync(Ct);
        return $"{status}|{drafts}|{string.Join(',', targetRoles.Order(StringComparer.Ordinal))}|{templateVersions}";
    }

    /// <summary>The change made by an admin ("u-admin", seeded) through the product's user administration.</summary>
    private async Task RevokeAsync(string revocation, Actor actor)
    {
        var admin = new Actor("u-admin", "Ada Admin");
        var administration = _host.Get<UserAdministration>();
        var result = revocation switch
        {
            "role removed" => await administration.SetRolesAsync(actor.Id, Array.Empty<string>(), admin, Ct),
            "account disabled" => await administration.SetDisabledAsync(actor.Id, true, admin, Ct),
            "account locked" => await administration.LockAsync(actor.Id, admin, Ct),
            _ => null,
        };
        if (revocation.StartsWith("signed out", StringComparison.Ordinal))
        {
            // The same sign-in, signed out from another tab: the page still open here holds the ended session.
            await _host.Get<ClinicalAssist.Web.Infrastructure.SignInSessions>().EndAsync(actor.SessionId, "signed out", Ct);
        }
        Assert.True(result is null || result.Succeeded, result?.Message);
    }

    private async Task<Actor> AddAccountAsync(string id, string role)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { Id = id, UserName = id + "@test.local", Email = id + "@test.local", DisplayName = "Dr " + id };
        Assert.True((await users.CreateAsync(user)).Succeeded);
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        // Signed in: the page acts through this sign-in session.
        return new Actor(id, user.DisplayName, await _host.Get<ClinicalAssist.Web.Infrastructure.SignInSessions>().StartAsync(id, Ct));
    }

    private static async Task WriteReportAsync(IReadOnlyList<Cell> cells)
    {
        var text = new StringBuilder();
        text.AppendLine("# Revocation matrix (authority at the moment of action)");
        text.AppendLine();
        text.AppendLine("An account's role is removed, or it is disabled or locked, by an admin — or the user signs out in another tab — while its page stays open; the page then acts.");
        text.AppendLine("Each cell: outcome, and the number of `authority.refused` audit rows (outcome refused) the attempt left.");
        text.AppendLine();
        text.AppendLine("| Change \\ action | " + string.Join(" | ", Actions) + " |");
        text.AppendLine("|---|" + string.Concat(Actions.Select(_ => "---|")));
        foreach (var revocation in Revocations)
        {
            text.Append("| ").Append(revocation).Append(" |");
            foreach (var action in Actions)
            {
                var c = cells.Single(x => x.Revocation == revocation && x.Action == action);
                text.Append(' ').Append(c.Succeeded ? "succeeded" : $"refused, audited ×{c.RefusedAuditRows}{(c.StateUnchanged ? "" : ", STATE CHANGED")}").Append(" |");
            }
            text.AppendLine();
        }
        var revoked = cells.Where(c => c.Revocation != Revocations[0]).ToList();
        text.AppendLine();
        text.AppendLine($"After a change: {revoked.Count(c => c.Succeeded)} of {revoked.Count} actions succeeded; {revoked.Count(c => c.RefusedAuditRows == 1)} of {revoked.Count} refusals audited once; {revoked.Count(c => c.PatientTextInAudit)} audit rows with patient text.");
        text.AppendLine($"Control (nothing revoked): {cells.Count(c => c.Revocation == Revocations[0] && c.Succeeded)} of {Actions.Length} actions succeeded.");
        text.AppendLine();
        text.AppendLine("Refusal messages seen:");
        foreach (var m in revoked.Select(c => c.Message).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)) text.AppendLine($"- {m}");

        var directory = Path.Combine(AuthorizationMatrixTests.RepoRoot(), "artifacts", "security");
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, "revocation-matrix.md"), text.ToString(), Ct);
    }
}

using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Faults;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Tests.Security;

/// <summary>The page still believes the user is a clinician (its principal has the role); the account no longer
/// has it. Generating is refused on the page in plain words, nothing is stored, and the refusal is audited.</summary>
public sealed class AuthorityOnPageTests
{
    [Fact]
    public async Task Generate_from_an_open_page_after_the_Clinician_role_was_removed_is_refused_in_plain_words()
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        await using var db = await FaultHarness.DatabaseAsync();
        var former = new Actor("u-former-clinician", "Dr Former");
        await using (var write = db.CreateDbContext())
        {
            write.Users.Add(new ApplicationUser { Id = former.Id, UserName = "former@test.local", NormalizedUserName = "FORMER@TEST.LOCAL", DisplayName = former.Name });
            await write.SaveChangesAsync(ct);
        }

        await using var ui = new FaultHarness(db, former, Roles.Clinician);
        var panel = ui.Render<DraftPanel>(p => p.Add(x => x.Context, FaultHarness.DemoContext()));
        await panel.InvokeAsync(() => panel.Find("[data-testid=generate-summary]").Click());

        panel.WaitForAssertion(() => Assert.Equal("Your account no longer has the Clinician role; nothing was changed.",
            panel.Find("[data-testid=draft-message]").TextContent.Trim()));
        await using var read = db.CreateDbContext();
        Assert.Equal(0, await read.Drafts.CountAsync(d => d.CreatedById == former.Id, ct));
        var refusal = Assert.Single(await read.AuditEvents.Where(e => e.UserId == former.Id).ToListAsync(ct));
        Assert.Equal((AuditActions.ActionRefused, "refused"), (refusal.Action, refusal.Outcome));
    }
}

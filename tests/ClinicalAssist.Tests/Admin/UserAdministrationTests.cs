using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Tests.Admin;

public sealed class UserAdministrationTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private AdminTestHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await AdminTestHost.CreateAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private async Task<List<AuditEvent>> AuditAsync()
    {
        await using var db = _host.Database.CreateDbContext();
        return await db.AuditEvents.OrderBy(a => a.Id).ToListAsync(Ct);
    }

    [Fact]
    public async Task Creating_a_user_with_a_generated_password_assigns_roles_requires_a_change_and_is_audited()
    {
        var admin = await _host.AddUserAsync("admin@x.org", Roles.Admin);
        var actor = new Actor(admin.Id, "Admin One");

        var result = await _host.Users.CreateAsync(new NewUser("new@x.org", "Dr New", [Roles.Clinician, Roles.Reviewer], null, false), actor, Ct);

        Assert.True(result.Succeeded, result.Message);
        Assert.NotNull(result.TemporaryPassword);
        var listed = Assert.Single(await _host.Users.ListAsync("Dr New", Ct));
        Assert.Equal([Roles.Clinician, Roles.Reviewer], listed.Roles);
        Assert.True(listed.PasswordChangeRequired);
        Assert.Equal("Active", listed.State);
        Assert.True(await _host.WithUserManagerAsync(async users =>
            await users.CheckPasswordAsync((await users.FindByEmailAsync("new@x.org"))!, result.TemporaryPassword!)));

        var audit = Assert.Single(await AuditAsync());
        Assert.Equal(AuditActions.UserCreated, audit.Action);
        Assert.Equal(admin.Id, audit.UserId);
        Assert.Contains("roles=Clinician|Reviewer", audit.Details);
        Assert.DoesNotContain(result.TemporaryPassword!, audit.Details);
    }

    [Fact]
    public async Task Creating_with_an_entered_password_keeps_it_and_refuses_duplicates_weak_passwords_and_no_role()
    {
        var admin = await _host.AddUserAsync("admin@x.org", Roles.Admin);
        var actor = new Actor(admin.Id, "Admin One");

        var ok = await _host.Users.CreateAsync(new NewUser("c@x.org", "Dr C", [Roles.Clinician], "Entered-pass-123!", false), actor, Ct);
        Assert.True(ok.Succeeded, ok.Message);
        Assert.Null(ok.TemporaryPassword);
        Assert.False(Assert.Single(await _host.Users.ListAsync("c@x.org", Ct)).PasswordChangeRequired);

        Assert.False((await _host.Users.CreateAsync(new NewUser("c@x.org", "Again", [Roles.Clinician], null, false), actor, Ct)).Succeeded);
        Assert.False((await _host.Users.CreateAsync(new NewUser("d@x.org", "Dr D", [Roles.Clinician], "short", false), actor, Ct)).Succeeded);
        Assert.False((await _host.Users.CreateAsync(new NewUser("e@x.org", "Dr E", [], null, false), actor, Ct)).Succeeded);
        Assert.Equal(2, (await _host.Users.ListAsync(null, Ct)).Count);
    }

    [Fact]
    public async Task The_last_active_admin_cannot_remove_their_own_admin_role_but_can_once_another_admin_is_active()
    {
        var admin = await _host.AddUserAsync("admin@x.org", Roles.Admin);
        var other = await _host.AddUserAsync("other@x.org", Roles.Admin);
        var actor = new Actor(admin.Id, "Admin One");
        Assert.True((await _host.Users.SetDisabledAsync(other.Id, true, actor, Ct)).Succeeded);

        var refused = await _host.Users.SetRolesAsync(admin.Id, [Roles.Clinician], actor, Ct);

        Assert.False(refused.Succeeded);
        Assert.Contains("last active admin", refused.Message);
        Assert.Equal([Roles.Admin], Assert.Single(await _host.Users.ListAsync("admin@x.org", Ct)).Roles);
        Assert.Equal(AuditActions.UserChangeRefused, (await AuditAsync()).Last().Action);

        Assert.True((await _host.Users.SetDisabledAsync(other.Id, false, actor, Ct)).Succeeded);
        var allowed = await _host.Users.SetRolesAsync(admin.Id, [Roles.Clinician, Roles.Reviewer], actor, Ct);
        Assert.True(allowed.Succeeded, allowed.Message);
        Assert.Equal([Roles.Clinician, Roles.Reviewer], Assert.Single(await _host.Users.ListAsync("admin@x.org", Ct)).Roles);
        var changed = (await AuditAsync()).Last();
        Assert.Equal(AuditActions.UserRolesChanged, changed.Action);
        Assert.Contains("added=Clinician|Reviewer removed=Admin", changed.Details);
    }

    [Fact]
    public async Task An_admin_cannot_disable_or_lock_themselves_and_a_locked_admin_does_not_count_as_active()
    {
        var admin = await _host.AddUserAsync("admin@x.org", Roles.Admin);
        var other = await _host.AddUserAsync("other@x.org", Roles.Admin);
        var actor = new Actor(admin.Id, "Admin One");

        Assert.False((await _host.Users.SetDisabledAsync(admin.Id, true, actor, Ct)).Succeeded);
        Assert.False((await _host.Users.LockAsync(admin.Id, actor, Ct)).Succeeded);
        Assert.Equal("Active", Assert.Single(await _host.Users.ListAsync("admin@x.org", Ct)).State);

        // With the other admin locked, the remaining admin is the last active one: another admin cannot disable it.
        Assert.True((await _host.Users.LockAsync(other.Id, actor, Ct)).Succeeded);
        Assert.Equal("Locked", Assert.Single(await _host.Users.ListAsync("other@x.org", Ct)).State);
        Assert.False((await _host.Users.SetDisabledAsync(admin.Id, true, new Actor(other.Id, "Other"), Ct)).Succeeded);
        Assert.False((await _host.Users.SetRolesAsync(admin.Id, [], new Actor(other.Id, "Other"), Ct)).Succeeded);

        Assert.True((await _host.Users.UnlockAsync(other.Id, actor, Ct)).Succeeded);
        Assert.Equal("Active", Assert.Single(await _host.Users.ListAsync("other@x.org", Ct)).State);
        Assert.Equal(
            // The locked admin's own attempts are refused for its account state (authority at the moment of action).
            [AuditActions.UserChangeRefused, AuditActions.UserChangeRefused, AuditActions.UserLocked, AuditActions.ActionRefused, AuditActions.ActionRefused, AuditActions.UserUnlocked],
            (await AuditAsync()).Select(a => a.Action));
    }

    [Fact]
    public async Task Disabling_a_user_keeps_the_account_renews_its_security_stamp_and_is_audited()
    {
        var admin = await _host.AddUserAsync("admin@x.org", Roles.Admin);
        var clinician = await _host.AddUserAsync("c@x.org", Roles.Clinician);
        var stamp = clinician.SecurityStamp;

        var result = await _host.Users.SetDisabledAsync(clinician.Id, true, new Actor(admin.Id, "Admin"), Ct);

        Assert.True(result.Succeeded);
        var row = Assert.Single(await _host.Users.ListAsync("c@x.org", Ct));
        Assert.Equal("Disabled", row.State);
        var reloaded = await _host.WithUserManagerAsync(users => users.FindByIdAsync(clinician.Id));
        Assert.NotEqual(stamp, reloaded!.SecurityStamp);
        Assert.Equal(AuditActions.UserDisabled, Assert.Single(await AuditAsync()).Action);
    }

    [Fact]
    public async Task Forced_password_reset_replaces_the_password_flags_a_change_and_ends_sessions()
    {
        var admin = await _host.AddUserAsync("admin@x.org", Roles.Admin);
        var clinician = await _host.AddUserAsync("c@x.org", Roles.Clinician);

        var result = await _host.Users.ForcePasswordResetAsync(clinician.Id, new Actor(admin.Id, "Admin"), Ct);

        Assert.True(result.Succeeded, result.Message);
        var (oldWorks, newWorks, stamp, claims, hash) = await _host.WithUserManagerAsync(async users =>
        {
            var u = (await users.FindByIdAsync(clinician.Id))!;
            return (await users.CheckPasswordAsync(u, "Seeded-password-1!"), await users.CheckPasswordAsync(u, result.TemporaryPassword!),
                u.SecurityStamp, await users.GetClaimsAsync(u), u.PasswordHash);
        });
        Assert.False(oldWorks);
        Assert.True(newWorks);
        Assert.NotEqual(clinician.SecurityStamp, stamp);
        var flag = Assert.Single(claims, c => c.Type == UserAdministration.PasswordChangeRequiredClaim);
        Assert.Equal(UserAdministration.PasswordFingerprint(hash), flag.Value);
        var audit = Assert.Single(await AuditAsync());
        Assert.Equal(AuditActions.UserPasswordResetForced, audit.Action);
        Assert.Contains(clinician.Id, audit.Details);
    }

    [Fact]
    public async Task Search_matches_name_or_email()
    {
        await _host.AddUserAsync("ada@x.org", Roles.Clinician);
        await _host.AddUserAsync("bob@y.org", Roles.Reviewer);

        Assert.Equal(["ada@x.org"], (await _host.Users.ListAsync("ada", Ct)).Select(u => u.Email));
        Assert.Equal(["bob@y.org"], (await _host.Users.ListAsync("y.org", Ct)).Select(u => u.Email));
        Assert.Equal(2, (await _host.Users.ListAsync("User ", Ct)).Count);
    }
}

using ClinicalAssist.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Tests.Support;

/// <summary>
/// The accounts tests act as by a fixed id (new Actor("u-clin", …), a bUnit principal "u-admin"…): every decision
/// and admin change re-checks the acting account in the database (AuthorityCheck), so these exist there, enabled,
/// unlocked and holding every role — only tests about authority itself see refusals, and they use accounts of their own.
/// </summary>
public static class TestStaff
{
    public static readonly IReadOnlyList<string> Ids =
    [
        "u-clin", "u-rev", "u-rev2", "u-rev-a", "u-rev-b", "u-admin", "admin-1", "u1", "u2", "u3", "u-1",
        "u-otel", "clinician-redaction", "reviewer-redaction",
    ];

    public static async Task SeedAsync(AppDbContext db, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        var roles = await db.Roles.ToListAsync(ct);
        foreach (var name in Roles.All.Where(n => roles.All(r => r.Name != n)))
        {
            var role = new IdentityRole(name) { NormalizedName = name.ToUpperInvariant() };
            db.Roles.Add(role);
            roles.Add(role);
        }
        var existing = await db.Users.Select(u => u.Id).ToListAsync(ct);
        foreach (var id in Ids.Except(existing))
        {
            db.Users.Add(new ApplicationUser
            {
                Id = id, UserName = id + "@test.local", NormalizedUserName = (id + "@test.local").ToUpperInvariant(),
                DisplayName = id, SecurityStamp = Guid.NewGuid().ToString(), ConcurrencyStamp = Guid.NewGuid().ToString(),
            });
            foreach (var role in roles) db.UserRoles.Add(new IdentityUserRole<string> { UserId = id, RoleId = role.Id });
        }
        await db.SaveChangesAsync(ct);
    }
}

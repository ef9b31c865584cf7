using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Admin;

/// <summary>Identity (the app's password and lockout rules) over a migrated temp SQLite database, with the audit log.</summary>
public sealed class AdminTestHost : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);

    private AdminTestHost(TestDatabase database) => Database = database;

    public TestDatabase Database { get; }
    public ServiceProvider Services { get; private set; } = null!;
    public FakeTimeProvider Clock { get; } = new(Start);

    public static async Task<AdminTestHost> CreateAsync()
    {
        var database = await TestDatabase.CreateAsync(withStaff: false);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddScoped(_ => database.CreateDbContext());
        services.AddSingleton<Microsoft.EntityFrameworkCore.IDbContextFactory<AppDbContext>>(database);
        services.AddIdentityCore<ApplicationUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.Lockout.AllowedForNewUsers = true;
            })
            .AddPasswordPolicy()
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AppDbContext>()
            .AddDefaultTokenProviders();
        var host = new AdminTestHost(database);
        services.AddSingleton<TimeProvider>(host.Clock);
        services.AddSingleton<AuditLog>();
        services.AddSingleton<UserAdministration>();
        services.AddSingleton<ClinicalAssist.Web.Infrastructure.AccountChanges>();
        services.AddSingleton<ClinicalAssist.Web.Infrastructure.SignInSessions>();
        var provider = host.Services = services.BuildServiceProvider();
        await using (var scope = provider.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            foreach (var role in Roles.All) await roles.CreateAsync(new IdentityRole(role));
        }
        return host;
    }

    public UserAdministration Users => Services.GetRequiredService<UserAdministration>();

    public async Task<ApplicationUser> AddUserAsync(string email, params string[] roles)
    {
        await using var scope = Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var user = new ApplicationUser { UserName = email, Email = email, DisplayName = "User " + email };
        Assert.True((await users.CreateAsync(user, "Seeded-password-1!")).Succeeded);
        if (roles.Length > 0) Assert.True((await users.AddToRolesAsync(user, roles)).Succeeded);
        return user;
    }

    public async Task<T> WithUserManagerAsync<T>(Func<UserManager<ApplicationUser>, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>());
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Database.DisposeAsync();
    }
}

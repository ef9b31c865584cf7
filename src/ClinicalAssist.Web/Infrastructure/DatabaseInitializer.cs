using System.Security.Cryptography;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Start-up work that must finish before the first request: migrate, seed roles (and demo users for the
/// embedded default), and mark drafts a crash left "Generating" as Interrupted so they can be regenerated.</summary>
public static class DatabaseInitializer
{
    public static readonly IReadOnlyList<(string Email, string Name, string Role)> DemoUsers =
    [
        ("clinician@demo.local", "Dr Alex Morgan (demo clinician)", Roles.Clinician),
        ("reviewer@demo.local", "Dr Sam Patel (demo reviewer)", Roles.Reviewer),
        ("admin@demo.local", "Jordan Lee (demo admin)", Roles.Admin),
    ];

    /// <summary>Runs <see cref="InitializeDatabaseAsync"/>; a database fault (missing, read-only or locked file or
    /// folder, not a database, SQL Server unreachable) is said in one line — what, where, what to do — on the log
    /// and on standard error, and the app should stop with exit code 1. Returns false then.</summary>
    public static async Task<bool> TryInitializeDatabaseAsync(this WebApplication app)
    {
        var connection = app.Services.GetRequiredService<DatabaseConnection>();
        try
        {
            if (connection.Provider == DatabaseProvider.Sqlite
                && Path.GetDirectoryName(DatabaseStartupFailure.Where(DatabaseProvider.Sqlite, connection.ConnectionString)) is { Length: > 0 } folder
                && folder == Path.Combine(app.Environment.ContentRootPath, "App_Data"))
            {
                Directory.CreateDirectory(folder); // the embedded default's own folder; a configured one must exist
            }
            await app.InitializeDatabaseAsync();
            return true;
        }
        catch (Exception ex) when (DatabaseStartupFailure.Describe(ex, connection.Provider, connection.ConnectionString) is { } message)
        {
            app.Logger.LogCritical("{Message} ({Fault})", message, ex.GetType().Name);
            await Console.Error.WriteLineAsync(message);
            return false;
        }
    }

    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseInitializer));
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var dbFactory = services.GetRequiredService<IDbContextFactory<AppDbContext>>();

        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            if (database.MigrateOnStartup)
            {
                await db.Database.MigrateAsync();
            }

            // Drafts an instance that is gone left generating (this one's predecessor, when its leases have run out).
            await ClinicalAssist.Web.Features.Drafting.InterruptedDrafts.MarkAsync(db, services.GetRequiredService<AuditLog>(), logger,
                services.GetRequiredService<TimeProvider>().GetUtcNow(), services.GetRequiredService<IOptions<WorkLeaseOptions>>().Value.Duration);
            await ClinicalAssist.Web.Features.Drafting.PromptTemplateStore.SeedAsync(db, services.GetRequiredService<TimeProvider>(), CancellationToken.None);
        }

        await using (var db = await dbFactory.CreateDbContextAsync())
        {
            await ModelConfigurationService.SeedAsync(db, services.GetRequiredService<IOptions<ModelOptions>>().Value,
                services.GetRequiredService<TimeProvider>(), CancellationToken.None);
            await ClinicalAssist.Web.Features.Drafting.OfflineDrafterModelCard.SeedAsync(db, services.GetRequiredService<TimeProvider>(), CancellationToken.None);
        }

        var roleManager = services.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roleManager.RoleExistsAsync(role))
            {
                await roleManager.CreateAsync(new IdentityRole(role));
            }
        }

        var demo = services.GetRequiredService<IOptions<DemoUsersOptions>>().Value;
        if (demo.Enabled && database.Provider == DatabaseProvider.Sqlite)
        {
            await SeedDemoUsersAsync(services.GetRequiredService<UserManager<ApplicationUser>>(), demo, logger);
        }
    }

    private static async Task SeedDemoUsersAsync(UserManager<ApplicationUser> users, DemoUsersOptions demo, ILogger logger)
    {
        var created = new List<(string Email, string Password, string Role)>();
        foreach (var (email, name, role) in DemoUsers)
        {
            if (await users.FindByEmailAsync(email) is not null)
            {
                continue;
            }

            var password = demo.Password ?? GeneratePassword();
            var user = new ApplicationUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = name };
            var result = await users.CreateAsync(user, password);
            if (!result.Succeeded)
            {
                throw new InvalidOperationException(
                    $"Could not create demo user {role}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
            }

            await users.AddToRoleAsync(user, role);
            created.Add((email, password, role));
        }

        if (created.Count == 0)
        {
            return;
        }

        logger.LogInformation("Seeded {Count} demo user(s) for the embedded default database.", created.Count);
        if (demo.Password is null)
        {
            // Printed once, to the console only (not through ILogger, so never into a log sink).
            Console.WriteLine();
            Console.WriteLine("==== ClinicalAssist demo users (passwords shown once; delete App_Data/ to reset) ====");
            foreach (var (email, password, role) in created)
            {
                Console.WriteLine($"  {role,-10} {email,-24} {password}");
            }
            Console.WriteLine("=====================================================================================");
            Console.WriteLine();
        }
    }

    /// <summary>16 characters from a cryptographic RNG, with every class the password policy asks for.</summary>
    internal static string GeneratePassword()
    {
        const string lower = "abcdefghijkmnpqrstuvwxyz", upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", digits = "23456789", symbols = "!@#$%*-_+=";
        const string all = lower + upper + digits + symbols;
        var chars = new char[16];
        chars[0] = lower[RandomNumberGenerator.GetInt32(lower.Length)];
        chars[1] = upper[RandomNumberGenerator.GetInt32(upper.Length)];
        chars[2] = digits[RandomNumberGenerator.GetInt32(digits.Length)];
        chars[3] = symbols[RandomNumberGenerator.GetInt32(symbols.Length)];
        for (var i = 4; i < chars.Length; i++)
        {
            chars[i] = all[RandomNumberGenerator.GetInt32(all.Length)];
        }
        RandomNumberGenerator.Shuffle(chars.AsSpan());
        return new string(chars);
    }
}

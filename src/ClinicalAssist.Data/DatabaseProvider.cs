using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Data;

public enum DatabaseProvider { Sqlite, SqlServer }

public static class AppDbContextConfiguration
{
    public const string SqliteMigrationsAssembly = "ClinicalAssist.Migrations.Sqlite";
    public const string SqlServerMigrationsAssembly = "ClinicalAssist.Migrations.SqlServer";

    /// <summary>Points a context at one provider, with that provider's migrations assembly.</summary>
    public static DbContextOptionsBuilder UseClinicalAssistDatabase(
        this DbContextOptionsBuilder options, DatabaseProvider provider, string connectionString) => provider switch
    {
        DatabaseProvider.Sqlite => options.UseSqlite(connectionString, o => o.MigrationsAssembly(SqliteMigrationsAssembly)),
        DatabaseProvider.SqlServer => options.UseSqlServer(connectionString, o =>
        {
            o.MigrationsAssembly(SqlServerMigrationsAssembly);
            o.EnableRetryOnFailure(maxRetryCount: 5, maxRetryDelay: TimeSpan.FromSeconds(10), errorNumbersToAdd: null);
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown database provider."),
    };
}

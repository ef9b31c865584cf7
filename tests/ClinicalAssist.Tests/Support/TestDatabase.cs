using ClinicalAssist.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Tests.Support;

/// <summary>A migrated SQLite database in a temporary file (the same provider and migrations the app runs),
/// deleted on dispose.</summary>
public sealed class TestDatabase : IDbContextFactory<AppDbContext>, IHasConnectionString, IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clinicalassist-test-").FullName;

    public string ConnectionString { get; }

    private TestDatabase()
    {
        ConnectionString = $"Data Source={Path.Combine(_directory, "test.db")};Pooling=False";
    }

    /// <param name="withStaff">Seed <see cref="TestStaff"/> (the fixed-id accounts tests act as); off for tests that
    /// manage every account themselves (user administration counts its admins).</param>
    public static async Task<TestDatabase> CreateAsync(bool withStaff = true)
    {
        var database = new TestDatabase();
        await using var db = database.CreateDbContext();
        await db.Database.MigrateAsync();
        if (withStaff) await TestStaff.SeedAsync(db);
        return database;
    }

    /// <summary>A byte-for-byte copy (SQLite's backup API) in a folder of its own, e.g. to tamper with as someone with
    /// file access would, leaving this database as it is.</summary>
    public async Task<TestDatabase> CopyAsync()
    {
        var copy = new TestDatabase();
        await using var source = new SqliteConnection(ConnectionString);
        await using var target = new SqliteConnection(copy.ConnectionString);
        await source.OpenAsync();
        await target.OpenAsync();
        source.BackupDatabase(target);
        return copy;
    }

    /// <summary>Runs SQL on the file directly, outside the product (no EF, no change tracker).</summary>
    public async Task ExecuteSqlAsync(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public AppDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        options.UseClinicalAssistDatabase(DatabaseProvider.Sqlite, ConnectionString);
        return new AppDbContext(options.Options);
    }

    public Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => Task.FromResult(CreateDbContext());

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}

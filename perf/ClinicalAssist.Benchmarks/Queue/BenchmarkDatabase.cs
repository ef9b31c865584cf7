using ClinicalAssist.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Benchmarks.Queue;

/// <summary>
/// A fresh SQLite file configured exactly as the app configures it (<see cref="AppDbContextConfiguration.UseClinicalAssistDatabase"/>,
/// the Sqlite migrations assembly). A temp folder is deleted on dispose; a file named with --db is kept.
/// </summary>
public sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly string? _temporaryDirectory;

    private BenchmarkDatabase(string filePath, string? temporaryDirectory)
    {
        FilePath = filePath;
        _temporaryDirectory = temporaryDirectory;
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = filePath }.ToString();
        var builder = new DbContextOptionsBuilder<AppDbContext>();
        builder.UseClinicalAssistDatabase(DatabaseProvider.Sqlite, ConnectionString);
        Options = builder.Options;
    }

    public string FilePath { get; }

    /// <summary>The app's kind of connection string: default pooling, default journal mode.</summary>
    public string ConnectionString { get; }

    public DbContextOptions<AppDbContext> Options { get; }

    public static BenchmarkDatabase Create(string? path)
    {
        if (path is null)
        {
            var directory = Directory.CreateTempSubdirectory("clinicalassist-queue-bench-").FullName;
            return new BenchmarkDatabase(Path.Combine(directory, "queue-bench.db"), directory);
        }

        if (File.Exists(path))
        {
            throw new ArgumentException($"--db {path} already exists; the benchmark only creates a fresh file.");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return new BenchmarkDatabase(path, temporaryDirectory: null);
    }

    public async Task MigrateAsync(CancellationToken ct)
    {
        await using var db = new AppDbContext(Options);
        await db.Database.MigrateAsync(ct);
    }

    /// <summary>A connection outside the pool, for seeding and diagnostics (its PRAGMAs must not leak into the pool).</summary>
    public async Task<SqliteConnection> OpenUnpooledConnectionAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder(ConnectionString) { Pooling = false }.ToString());
        await connection.OpenAsync(ct);
        return connection;
    }

    /// <summary>Bytes on disk: the database file plus any journal or WAL beside it.</summary>
    public long SizeOnDisk() =>
        new[] { FilePath, FilePath + "-journal", FilePath + "-wal" }
            .Where(File.Exists)
            .Sum(f => new FileInfo(f).Length);

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        if (_temporaryDirectory is not null)
        {
            try { Directory.Delete(_temporaryDirectory, recursive: true); }
            catch (IOException) { /* best effort: a temp folder */ }
        }
        return ValueTask.CompletedTask;
    }
}

using System.Diagnostics;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.Data.Sqlite;

namespace ClinicalAssist.Tests.Infrastructure;

/// <summary>
/// A database fault at start-up stops the app with one clear line — what, where, what to do — and exit code 1, not a
/// raw SQLite stack trace and exit 134. The real app process (Production), each fault made for real.
/// </summary>
public sealed class DatabaseStartupFaultTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("clinicalassist-startfault-").FullName;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { }
    }

    private static async Task<(int ExitCode, string StdErr, string StdOut)> StartAppAsync(string connectionString)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ClinicalAssist.Web.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__ClinicalAssist"] = connectionString;
        start.Environment["DataProtection__KeysDirectory"] = Path.Combine(Path.GetTempPath(), "clinicalassist-startfault-keys");
        start.Environment["DemoUsers__Password"] = "Start-fault-test-1!";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        limit.CancelAfter(Patience.Long);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The app did not stop on a database fault: " + await stdout);
        }
        return (process.ExitCode, await stderr, await stdout);
    }

    private static void AssertOneClearLine((int ExitCode, string StdErr, string StdOut) run, string where, string what)
    {
        Assert.Equal(1, run.ExitCode);
        var lines = run.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var line = Assert.Single(lines);
        Assert.StartsWith("ClinicalAssist cannot start: ", line, StringComparison.Ordinal);
        Assert.Contains(where, line, StringComparison.Ordinal);
        Assert.Contains(what, line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.StdOut + run.StdErr, StringComparison.Ordinal); // no stack trace anywhere
    }

    [Fact]
    public async Task A_missing_folder_is_named_with_what_to_do()
    {
        var file = Path.Combine(_folder, "no-such-folder", "clinicalassist.db");
        AssertOneClearLine(await StartAppAsync($"Data Source={file}"), file, "folder does not exist");
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_named()
    {
        var file = Path.Combine(_folder, "notes.db");
        await File.WriteAllTextAsync(file, new string('x', 4096), Ct);
        AssertOneClearLine(await StartAppAsync($"Data Source={file}"), file, "is not a ClinicalAssist database");
    }

    [Fact]
    public async Task A_read_only_database_is_named()
    {
        var file = Path.Combine(_folder, "ro.db");
        await using (var create = new SqliteConnection($"Data Source={file}"))
        {
            await create.OpenAsync(Ct); // an empty database: the app must write to migrate it
        }
        AssertOneClearLine(await StartAppAsync($"Data Source={file};Mode=ReadOnly"), file, "is read-only");
    }

    [Fact]
    public async Task A_database_locked_by_another_process_is_named()
    {
        var file = Path.Combine(_folder, "locked.db");
        await using var holder = new SqliteConnection($"Data Source={file};Pooling=False");
        await holder.OpenAsync(Ct);
        await using (var begin = holder.CreateCommand())
        {
            begin.CommandText = "CREATE TABLE t(x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);";
            await begin.ExecuteNonQueryAsync(Ct);
        }
        AssertOneClearLine(await StartAppAsync($"Data Source={file};Default Timeout=1"), file, "locked by another process");
    }

    [Theory]
    [InlineData("Server=tcp:db.example.org,1433;Database=clinical;User ID=app;Password=Sup3r-secret!", "tcp:db.example.org,1433/clinical")]
    [InlineData("Data Source=ward-sql;Initial Catalog=ca;Integrated Security=true", "ward-sql/ca")]
    public void SQL_Server_is_named_by_server_and_database_and_never_by_its_password(string connectionString, string expected)
    {
        var where = DatabaseStartupFailure.Where(DatabaseProvider.SqlServer, connectionString);
        Assert.Equal(expected, where);
        Assert.DoesNotContain("Sup3r", where, StringComparison.Ordinal);
    }
}

using System.Data.Common;
using ClinicalAssist.Data;
using Microsoft.Data.Sqlite;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// A database fault at start-up (missing, read-only or locked SQLite file or folder, a file that is not a database,
/// an unreachable SQL Server) said in one line: what, where, what to do — instead of a stack trace and exit 134.
/// Where = the SQLite file or the SQL Server and database names; never a password.
/// </summary>
public static class DatabaseStartupFailure
{
    /// <summary>The one-line message for a start-up fault, or null when the exception is not a database fault.</summary>
    public static string? Describe(Exception exception, DatabaseProvider provider, string connectionString)
    {
        var where = Where(provider, connectionString);
        var fault = Unwrap(exception);
        var what = fault switch
        {
            SqliteException { SqliteErrorCode: 14 } =>
                $"the database file {where} cannot be opened: its folder does not exist or the app may not write to it. Create the folder and give the app's account write access to it, or set ConnectionStrings:{DataServiceCollectionExtensions.ConnectionStringName} to a writable path.",
            SqliteException { SqliteErrorCode: 8 } =>
                $"the database file {where} is read-only. Give the app's account write access to the file and its folder (SQLite also writes a journal beside it), or remove Mode=ReadOnly from the connection string.",
            SqliteException { SqliteErrorCode: 5 or 6 } =>
                $"the database file {where} is locked by another process (another copy of ClinicalAssist, a backup or a database tool). Stop that process or wait for it to finish, then start again.",
            SqliteException { SqliteErrorCode: 26 or 11 } =>
                $"the file {where} is not a ClinicalAssist database or is damaged. Restore it from a backup, or point ConnectionStrings:{DataServiceCollectionExtensions.ConnectionStringName} at the right file.",
            SqliteException sqlite =>
                $"the database file {where} failed with SQLite error {sqlite.SqliteErrorCode} ({sqlite.SqliteExtendedErrorCode}). Check the file and its folder, then start again.",
            UnauthorizedAccessException or IOException =>
                $"the data folder for {where} cannot be created or written ({fault.GetType().Name}). Give the app's account write access to it, or set ConnectionStrings:{DataServiceCollectionExtensions.ConnectionStringName} to a writable path.",
            DbException db when provider == DatabaseProvider.SqlServer =>
                $"the SQL Server database {where} could not be reached or refused the sign-in (error {db.ErrorCode}: {FirstLine(db.Message)}). Check the server name, the firewall, and the login in ConnectionStrings:{DataServiceCollectionExtensions.ConnectionStringName}.",
            _ => null,
        };
        return what is null ? null : "ClinicalAssist cannot start: " + what;
    }

    /// <summary>The SQLite file, or "server/database" for SQL Server; no credentials.</summary>
    public static string Where(DatabaseProvider provider, string connectionString)
    {
        var parts = new DbConnectionStringBuilder();
        try { parts.ConnectionString = connectionString; } catch (ArgumentException) { return "(unreadable connection string)"; }
        string? Get(params string[] keys) => keys.Select(k => parts.TryGetValue(k, out var v) ? v?.ToString() : null).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        return provider == DatabaseProvider.Sqlite
            ? Path.GetFullPath(Get("Data Source", "DataSource", "Filename") ?? "(no Data Source)")
            : $"{Get("Server", "Data Source", "Address", "Addr") ?? "(no server)"}/{Get("Database", "Initial Catalog") ?? "(default database)"}";
    }

    private static Exception Unwrap(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or UnauthorizedAccessException or IOException) return e;
        }
        return exception;
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}

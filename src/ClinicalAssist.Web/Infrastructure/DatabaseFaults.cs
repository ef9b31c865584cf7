using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>
/// A database failure while the app runs, told apart from the record source's (FHIR) failures: what the user reads
/// and the log category it is written under (<see cref="LogCategory"/>), so that a write lock held by another process
/// is reported as a database problem, not blamed on the record source.
/// </summary>
public static class DatabaseFaults
{
    /// <summary>The log category of database failures met by pages and services at run time.</summary>
    public const string LogCategory = "ClinicalAssist.Database";

    /// <summary>Shown when another process holds the database's write lock past the command timeout.</summary>
    public const string BusyMessage =
        "The database is busy: another process is holding a write lock on it. Nothing was changed. Try again in a moment; if it keeps happening, ask an admin to check the database.";

    /// <summary>Shown for any other database failure.</summary>
    public const string FailedMessage =
        "The database did not accept the change. Nothing was changed. Try again in a moment; if it keeps happening, ask an admin to check the database.";

    /// <summary>True when the exception (or one inside it) comes from the database.</summary>
    public static bool IsDatabaseFault(Exception exception) => Find(exception) is not null;

    /// <summary>True for a lock or lock timeout: SQLite "database is locked" / "table is locked" (SQLITE_BUSY,
    /// SQLITE_LOCKED), SQL Server lock request time-out (1222), command timeout (-2) or deadlock victim (1205).</summary>
    public static bool IsBusy(Exception exception) => Find(exception) switch
    {
        SqliteException { SqliteErrorCode: 5 or 6 } => true,
        SqlException { Number: 1222 or -2 or 1205 } => true,
        _ => false,
    };

    /// <summary>The user's message for a database fault.</summary>
    public static string MessageFor(Exception exception) => IsBusy(exception) ? BusyMessage : FailedMessage;

    /// <summary>Logs a database fault under <see cref="LogCategory"/> (no patient identifiers: the caller says what
    /// was being done, e.g. "recording a chart view").</summary>
    public static void Log(ILoggerFactory loggers, Exception exception, string doing)
    {
        ArgumentNullException.ThrowIfNull(loggers);
        loggers.CreateLogger(LogCategory).LogError(exception, "The database {Fault} while {Doing}.",
            IsBusy(exception) ? "was locked by another process (lock timeout)" : "failed", doing);
    }

    private static Exception? Find(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException or DbUpdateException) return e is DbUpdateException { InnerException: DbException inner } ? inner : e;
        }
        return null;
    }
}

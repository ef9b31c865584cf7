using System.ComponentModel.DataAnnotations;
using ClinicalAssist.Data;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>Section "Database". SQLite in a local file is the embedded default; SQL Server / Azure SQL is
/// configuration only (Provider=SqlServer plus ConnectionStrings:ClinicalAssist).</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Apply pending migrations at start-up (the default for the embedded SQLite file; in production a
    /// deployment step may run the idempotent script instead).</summary>
    public bool MigrateOnStartup { get; set; } = true;
}

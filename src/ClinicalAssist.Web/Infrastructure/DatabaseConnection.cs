using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>The database the app uses, as resolved at start (configured, or the embedded SQLite default). Read by
/// start-up to create the default folder and to say where a fault is; never logged (it may hold credentials).</summary>
public sealed record DatabaseConnection(DatabaseProvider Provider, string ConnectionString);

using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ClinicalAssist.Migrations.Sqlite;

/// <summary>Used by `dotnet ef` only (`-p src/ClinicalAssist.Migrations.Sqlite -s src/ClinicalAssist.Migrations.Sqlite`);
/// it never opens a connection for migrations add / script / has-pending-model-changes.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        options.UseClinicalAssistDatabase(DatabaseProvider.Sqlite, "Data Source=design-time.db");
        return new AppDbContext(options.Options);
    }
}

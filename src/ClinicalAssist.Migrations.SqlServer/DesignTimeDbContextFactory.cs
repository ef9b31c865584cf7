using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ClinicalAssist.Migrations.SqlServer;

/// <summary>Used by `dotnet ef` only (`-p src/ClinicalAssist.Migrations.SqlServer -s src/ClinicalAssist.Migrations.SqlServer`);
/// it never opens a connection for migrations add / script / has-pending-model-changes.</summary>
public sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        options.UseClinicalAssistDatabase(DatabaseProvider.SqlServer, "Server=(localdb)\\design;Database=ClinicalAssist;Trusted_Connection=True;TrustServerCertificate=True");
        return new AppDbContext(options.Options);
    }
}

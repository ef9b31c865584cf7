using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Infrastructure;

public static class DataServiceCollectionExtensions
{
    public const string ConnectionStringName = "ClinicalAssist";

    /// <summary>One DbContext for Identity and the product; a pooled factory for components and services
    /// (Blazor Server: never a long-lived scoped context inside a circuit).</summary>
    public static IHostApplicationBuilder AddClinicalAssistData(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration(DatabaseOptions.Section).ValidateOnStart();
        var options = builder.Configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new();
        var connectionString = builder.Configuration.GetConnectionString(ConnectionStringName);

        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (options.Provider != DatabaseProvider.Sqlite)
            {
                throw new InvalidOperationException(
                    $"Database:Provider is {options.Provider} but ConnectionStrings:{ConnectionStringName} is not set.");
            }

            // The embedded default: a file in App_Data (the folder is created at start-up, DatabaseInitializer).
            var dataDirectory = Path.Combine(builder.Environment.ContentRootPath, "App_Data");
            connectionString = $"Data Source={Path.Combine(dataDirectory, "clinicalassist.db")}";
        }

        builder.Services.AddSingleton(new DatabaseConnection(options.Provider, connectionString));

        builder.Services.AddDbContextFactory<AppDbContext>(db =>
        {
            db.UseClinicalAssistDatabase(options.Provider, connectionString);
            if (builder.Environment.IsDevelopment())
            {
                db.EnableDetailedErrors();
            }
        });
        builder.Services.AddDatabaseDeveloperPageExceptionFilter();

        // Ownership of background work across instances (WorkLeases): every worker claims what it works on.
        builder.Services.AddSingleton<InstanceIdentity>();
        builder.Services.AddOptions<WorkLeaseOptions>().BindConfiguration(WorkLeaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<WorkLeases>();
        builder.Services.AddHostedService<WorkLeaseKeeper>();
        return builder;
    }
}

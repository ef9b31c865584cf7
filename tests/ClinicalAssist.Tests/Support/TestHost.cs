using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using ClinicalAssist.Web.Features.Rounds;
using ClinicalAssist.Web.Features.Validation;
using ClinicalAssist.Web.Features.WriteBack;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace ClinicalAssist.Tests.Support;

/// <summary>A database factory that names its connection string (the configuration gets it, as the app's would).</summary>
public interface IHasConnectionString
{
    string ConnectionString { get; }
}

/// <summary>
/// The one way tests (and the benchmarks, which link this file) build the system under test: the product's services composed by the product's own
/// <c>Add…</c> extensions (as Program.cs does) over a test database, with only the seams replaced — the clock, the
/// drafter, the record source, settings. Hosted services are registered but never started: background work runs
/// when the test drives it. A constructor change in the product changes nothing here.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private TestHost(ServiceProvider services) => _services = services;

    public IServiceProvider Services => _services;

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    /// <param name="database">The migrated test database every service writes to.</param>
    /// <param name="model">A fixed drafter for every draft (replaces the stored model configurations), else the
    /// product's default (the offline drafter, without its streaming pause).</param>
    /// <param name="source">The record source, else the product's default (generated demo patients).</param>
    /// <param name="time">The clock, else <see cref="TimeProvider.System"/>.</param>
    /// <param name="settings">Configuration as the app reads it ("Section:Key").</param>
    /// <param name="configure">Further replacements, after the product's registrations.</param>
    public static TestHost Create(IDbContextFactory<AppDbContext> database, IDraftModel? model = null, IPatientRecordSource? source = null,
        TimeProvider? time = null, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Testing" });
        var values = new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{DataServiceCollectionExtensions.ConnectionStringName}"] = (database as IHasConnectionString)?.ConnectionString ?? "Data Source=unused.db",
            ["Model:OfflineChunkDelayMilliseconds"] = "0",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) values[key] = value;
        builder.Configuration.AddInMemoryCollection(values);

        builder.Services.AddLogging();
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.AddClinicalAssistData();
        builder.AddPatientContext();
        builder.AddDrafting();
        builder.AddReview();
        builder.AddRounds();
        builder.AddGovernance();
        builder.AddAdmin();
        builder.AddWriteBack();
        builder.AddValidation();

        var services = builder.Services;
        services.Replace(ServiceDescriptor.Singleton(time ?? TimeProvider.System));
        services.Replace(ServiceDescriptor.Singleton(database));
        if (source is not null) services.Replace(ServiceDescriptor.Singleton(source));
        if (model is not null)
        {
            services.Replace(ServiceDescriptor.Singleton(model));
            // Drafts use the fixed drafter, not the stored configurations.
            services.RemoveAll<ModelConfigurationService>();
        }
        configure?.Invoke(services);
        return new TestHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true }));
    }

    /// <summary>Pins a settings object (instead of its configuration section) for <paramref name="configure"/>.</summary>
    public static void Use<TOptions>(IServiceCollection services, TOptions options) where TOptions : class =>
        services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}

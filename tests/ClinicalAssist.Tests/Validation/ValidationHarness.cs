using ClinicalAssist.Data;
using ClinicalAssist.Tests.Drafting;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Validation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ClinicalAssist.Tests.Validation;

/// <summary>What the validation tests share: a migrated database with the prompt templates seeded, app instances built
/// with the product's own extensions (each its own instance id, as separate processes are), and a frozen demo-ward set.</summary>
internal static class ValidationHarness
{
    public static readonly Actor FirstAdmin = new("u-admin", "Admin One");
    public static readonly Actor SecondAdmin = new("admin-1", "Admin Two");
    public static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    public static async Task<TestDatabase> DatabaseAsync(TimeProvider time)
    {
        var database = await TestDatabase.CreateAsync();
        await using var db = database.CreateDbContext();
        await PromptTemplateStore.SeedAsync(db, time, Ct);
        await ModelConfigurationService.SeedAsync(db, new ModelOptions(), time, Ct);
        return database;
    }

    /// <summary>One app instance over the database (a new instance id each time: a restarted process).</summary>
    public static TestHost Instance(TestDatabase database, TimeProvider time, int maxConcurrency = 4, IReadOnlyDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            [LoopbackModel.KeySetting] = TestModels.ApiKey,
            ["Validation:MaxConcurrency"] = maxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Validation:DemoWardCases"] = "6",
        };
        foreach (var (k, v) in more ?? new Dictionary<string, string?>()) settings[k] = v;
        return TestHost.Create(database, time: time, settings: settings,
            configure: s => s.Replace(ServiceDescriptor.Singleton(TestModels.Factory(time: time))));
    }

    public static async Task AddAsync(TestDatabase database, ModelConfiguration configuration)
    {
        await using var db = database.CreateDbContext();
        db.ModelConfigurations.Add(configuration);
        await db.SaveChangesAsync(Ct);
    }

    public static async Task<Guid> FrozenDemoSetAsync(TestHost host)
    {
        var sets = host.Get<EvaluationSets>();
        var created = await sets.CreateFromDemoWardAsync(FirstAdmin, Ct);
        Assert.True(created.Succeeded, created.Message);
        var frozen = await sets.FreezeAsync(created.Id!.Value, FirstAdmin, Ct);
        Assert.True(frozen.Succeeded, frozen.Message);
        return created.Id.Value;
    }

    public static async Task<Guid> StartAsync(TestHost host, Guid setId, Guid configurationId)
    {
        var started = await host.Get<EvaluationRuns>().StartAsync(setId, configurationId, null, FirstAdmin, Ct);
        Assert.True(started.Succeeded, started.Message);
        return started.Id!.Value;
    }

    public static async Task<int> ResultCountAsync(TestDatabase database, Guid runId)
    {
        await using var db = database.CreateDbContext();
        return await db.EvaluationResults.CountAsync(r => r.RunId == runId, Ct);
    }
}

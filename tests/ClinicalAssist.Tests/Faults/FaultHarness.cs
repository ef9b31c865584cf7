using System.Data.Common;
using System.Security.Claims;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Components.Shared;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using ClinicalAssist.Web.Features.WriteBack;
using ClinicalAssist.Web.Infrastructure;
using Hl7.Fhir.Model;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Faults;

/// <summary>
/// A bUnit context wired like the app for one signed-in user: the real drafting, workflow, audit, chart and review
/// services over a migrated temp SQLite database, with the one dependency under test (model, record source,
/// database) replaced by its faulty variant. The rendered component is the real page or panel.
/// </summary>
internal sealed class FaultHarness : MudTestContext
{
    public static readonly Actor Clinician = new("u-clin", "Dr Casey Clinician");
    public static readonly Actor ReviewerA = new("u-rev-a", "Dr Ana Reviewer");
    public static readonly Actor ReviewerB = new("u-rev-b", "Dr Ben Reviewer");

    public FaultHarness(IDbContextFactory<AppDbContext> db, Actor user, string role, IDraftModel? model = null,
        IPatientRecordSource? source = null, PatientContextBuilder? contextBuilder = null, Action<IServiceCollection>? configure = null)
    {
        source ??= FixedRecordSource.DemoLike();
        Services.AddLogging();
        Services.AddSingleton(db);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<AuditLog>();
        Services.AddSingleton(Options.Create(new WriteBackOptions()));
        Services.AddSingleton(Options.Create(new FhirOptions()));
        Services.AddSingleton<WriteBackQueue>();
        Services.AddSingleton<DraftWorkflow>();
        Services.AddSingleton<DraftEdits>();
        Services.AddSingleton<ModelCardStore>();
        Services.AddScoped<CitationOpener>();
        Services.AddSingleton<SafeMarkdownRenderer>();
        Services.AddSingleton<PromptInjectionDetector>();
        Services.AddSingleton(source);
        Services.AddSingleton(contextBuilder ?? new PatientContextBuilder(source, TimeProvider.System, NullLogger<PatientContextBuilder>.Instance));
        Services.AddSingleton(_ => NewGenerator(db, model ?? new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero)));

        var auth = AddAuthorization();
        auth.SetAuthorized(user.Name);
        auth.SetRoles(role);
        auth.SetClaims(new System.Security.Claims.Claim(ClaimTypes.NameIdentifier, user.Id), new System.Security.Claims.Claim(ClinicalAssistClaims.DisplayName, user.Name));
        configure?.Invoke(Services);
        PersistentState = AddBunitPersistentComponentState();
        // Pages render as in a live circuit (after every service is added: setting it builds the service provider);
        // a test of the prerender sets a static renderer before rendering.
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    /// <summary>The state a prerender persists and a circuit restores (<c>Persist</c> before rendering = restored).</summary>
    public Bunit.TestDoubles.BunitPersistentComponentState PersistentState { get; }

    /// <summary>The product's draft generator (composed by its own Add… extensions) over <paramref name="db"/>.</summary>
    public static DraftGenerator NewGenerator(IDbContextFactory<AppDbContext> db, IDraftModel model) =>
        TestHost.Create(db, model).Get<DraftGenerator>();

    public static DraftWorkflow NewWorkflow(IDbContextFactory<AppDbContext> db) => TestHost.Create(db).Get<DraftWorkflow>();

    /// <summary>The demo-like patient p1 as a context (the same record the harness's source serves).</summary>
    public static PatientContext DemoContext()
    {
        var (patient, resources) = DemoLikePatient();
        return new PatientContextBuilder(new FixedRecordSource(patient, resources), TimeProvider.System, NullLogger<PatientContextBuilder>.Instance)
            .Build(new PatientRecord(patient, resources, []));
    }

    /// <summary>A migrated database with the prompt templates seeded (what the app has after its first start).</summary>
    public static async Task<TestDatabase> DatabaseAsync()
    {
        var database = await TestDatabase.CreateAsync();
        await using var db = database.CreateDbContext();
        await PromptTemplateStore.SeedAsync(db, TimeProvider.System, Xunit.TestContext.Current.CancellationToken);
        return database;
    }

    /// <summary>Work done before the fault: an offline draft for the patient, signed by the clinician with an edit.</summary>
    public static async Task<(Guid Id, string SignedText)> SignedDraftAsync(IDbContextFactory<AppDbContext> db, PatientContext context, string edit = "Plan agreed with the patient.")
    {
        var ct = Xunit.TestContext.Current.CancellationToken;
        var id = await NewGenerator(db, new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero))
            .GenerateAsync(context, "Demo", Clinician, _ => System.Threading.Tasks.Task.CompletedTask, ct);
        string generated;
        await using (var read = await db.CreateDbContextAsync(ct))
        {
            generated = (await read.Drafts.SingleAsync(d => d.Id == id, ct)).GeneratedText;
        }
        var signed = generated + "\n" + edit;
        var result = await NewWorkflow(db).SignAsync(id, signed, attested: true, Clinician, ct);
        Assert.True(result.Succeeded, result.Message);
        return (id, signed);
    }

    public static async Task<Draft> LoadAsync(IDbContextFactory<AppDbContext> db, Guid id)
    {
        await using var read = await db.CreateDbContextAsync();
        return await read.Drafts.AsNoTracking().Include(d => d.Review).SingleAsync(d => d.Id == id);
    }
}

/// <summary>A record source serving one fixed patient (the chart's record is not what these cells fault).</summary>
internal sealed class FixedRecordSource(Patient patient, IReadOnlyList<Resource> resources) : IPatientRecordSource
{
    public static FixedRecordSource DemoLike()
    {
        var (patient, resources) = DemoLikePatient();
        return new FixedRecordSource(patient, resources);
    }

    public string Name => "Demo";

    public Task<IReadOnlyList<PatientSummary>> SearchPatientsAsync(string? query, CancellationToken cancellationToken) =>
        System.Threading.Tasks.Task.FromResult<IReadOnlyList<PatientSummary>>([]);

    public Task<PatientRecord?> GetRecordAsync(string patientId, CancellationToken cancellationToken) =>
        System.Threading.Tasks.Task.FromResult(patientId == patient.Id ? new PatientRecord(patient, resources, []) : null);
}

/// <summary>
/// The app's SQLite database with a command interceptor that, when armed, fails the transaction of a decision after
/// its first statement ran: the command matching <see cref="FailWhen"/> executes, then the "disk" fails, so EF rolls
/// the whole transaction back — a write failing mid-transaction.
/// </summary>
internal sealed class FaultyDatabase(TestDatabase database) : IDbContextFactory<AppDbContext>
{
    private readonly FailingInterceptor _interceptor = new();

    /// <summary>When set, the next command whose SQL matches fails after it executed (then the interceptor disarms).</summary>
    public Func<string, bool>? FailWhen { get => _interceptor.FailWhen; set => _interceptor.FailWhen = value; }

    public int Failures => _interceptor.Failures;

    public AppDbContext CreateDbContext()
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        options.UseClinicalAssistDatabase(DatabaseProvider.Sqlite, database.ConnectionString);
        options.AddInterceptors(_interceptor);
        return new AppDbContext(options.Options);
    }

    public Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => System.Threading.Tasks.Task.FromResult(CreateDbContext());

    private sealed class FailingInterceptor : DbCommandInterceptor
    {
        public Func<string, bool>? FailWhen;
        public int Failures;

        public override ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
            CancellationToken cancellationToken = default)
        {
            if (command.Transaction is not null && FailWhen is { } when && when(command.CommandText))
            {
                FailWhen = null;
                Interlocked.Increment(ref Failures);
                result.Dispose();
                throw new SqliteException("disk I/O error (injected by the fault matrix)", 10);
            }
            return base.ReaderExecutedAsync(command, eventData, result, cancellationToken);
        }

        public override ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData, int result,
            CancellationToken cancellationToken = default)
        {
            if (command.Transaction is not null && FailWhen is { } when && when(command.CommandText))
            {
                FailWhen = null;
                Interlocked.Increment(ref Failures);
                throw new SqliteException("disk I/O error (injected by the fault matrix)", 10);
            }
            return base.NonQueryExecutedAsync(command, eventData, result, cancellationToken);
        }
    }
}

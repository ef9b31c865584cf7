using System.Data;
using System.Data.Common;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Drafting;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Infrastructure;
using ClinicalAssist.Web.Features.Review;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace ClinicalAssist.Tests.Data;

/// <summary>
/// The product's own data-access code (queue, audit trail, retention purge, drafting, decisions, Identity stores, the
/// Data Protection key store) run against EF's SQL Server provider with no server: an interceptor pretends the
/// connection opened, records every command the product sends and answers with an empty result. Every recorded
/// statement must parse as T-SQL — reads, inserts, ExecuteUpdate/ExecuteDelete and the optimistic-concurrency UPDATE.
/// </summary>
public sealed class SqlServerProductQueriesTests
{
    private static string? LastError;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Records commands; the connection never really opens.</summary>
    private sealed class OfflineSqlServer : IDbContextFactory<AppDbContext>
    {
        public List<string> Commands { get; } = [];
        private readonly Recorder _recorder;

        public OfflineSqlServer() => _recorder = new Recorder(Commands);

        public void Configure(DbContextOptionsBuilder options) =>
            options.UseClinicalAssistDatabase(DatabaseProvider.SqlServer, "Server=offline.invalid;Database=ClinicalAssist;Connect Timeout=1")
                // The retrying strategy buffers results and checks their columns; the SQL is the same without it.
                .UseSqlServer(o => o.ExecutionStrategy(d => new Microsoft.EntityFrameworkCore.Storage.NonRetryingExecutionStrategy(d)))
                .AddInterceptors(_recorder, new NeverOpen());

        public AppDbContext CreateDbContext()
        {
            var options = new DbContextOptionsBuilder<AppDbContext>();
            Configure(options);
            var db = new AppDbContext(options.Options);
            db.Database.AutoTransactionBehavior = AutoTransactionBehavior.Never; // no server to hold a transaction
            return db;
        }
    }

    private sealed class NeverOpen : DbConnectionInterceptor
    {
        public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) => InterceptionResult.Suppress();
        public override ValueTask<InterceptionResult> ConnectionOpeningAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default) => ValueTask.FromResult(InterceptionResult.Suppress());
        public override InterceptionResult ConnectionClosing(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) => InterceptionResult.Suppress();
        public override ValueTask<InterceptionResult> ConnectionClosingAsync(DbConnection connection, ConnectionEventData eventData, InterceptionResult result) => ValueTask.FromResult(InterceptionResult.Suppress());
    }

    private sealed class Recorder(List<string> commands) : DbCommandInterceptor
    {
        private void Record(DbCommand command) { lock (commands) commands.Add(command.CommandText); }
        private static DbDataReader Empty() => new DataTable().CreateDataReader();

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) { Record(command); return InterceptionResult<DbDataReader>.SuppressWithResult(Empty()); }
        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) { Record(command); return ValueTask.FromResult(InterceptionResult<DbDataReader>.SuppressWithResult(Empty())); }
        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) { Record(command); return InterceptionResult<int>.SuppressWithResult(1); }
        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) { Record(command); return ValueTask.FromResult(InterceptionResult<int>.SuppressWithResult(1)); }
        public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result) { Record(command); return InterceptionResult<object>.SuppressWithResult(0); }
        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default) { Record(command); return ValueTask.FromResult(InterceptionResult<object>.SuppressWithResult(0)); }
    }

    /// <summary>Runs product code; an empty result may make it throw after its command was sent (e.g. "not found").</summary>
    private static async Task RunAsync(Func<Task> action)
    {
        try { await action(); }
        catch (Exception ex) when (ex is InvalidOperationException or DbUpdateException) { LastError = ex.ToString(); }
    }

    [Fact]
    public void The_production_provider_retries_transient_failures()
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        options.UseClinicalAssistDatabase(DatabaseProvider.SqlServer, "Server=offline.invalid;Database=ClinicalAssist");
        using var db = new AppDbContext(options.Options);
        Assert.IsType<Microsoft.EntityFrameworkCore.SqlServerRetryingExecutionStrategy>(db.Database.CreateExecutionStrategy());
    }

    private static void AssertAllParse(IEnumerable<string> commands)
    {
        var failures = new List<string>();
        foreach (var sql in commands)
        {
            new TSql170Parser(initialQuotedIdentifiers: true).Parse(new StringReader(sql), out var errors);
            if (errors.Count > 0) failures.Add($"{string.Join("; ", errors.Select(e => e.Message))}\n{sql}");
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Fact]
    public async Task Every_statement_the_product_sends_parses_as_T_SQL()
    {
        var server = new OfflineSqlServer();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
        var audit = new AuditLog(server, clock);
        var actor = new Actor("u-1", "Dr One");
        var captured = new Dictionary<string, int>();
        async Task Step(string name, Func<Task> action)
        {
            var before = server.Commands.Count;
            await RunAsync(action);
            captured[name] = server.Commands.Count - before;
        }

        // Review queue: pages for every view and sort, with and without every filter, and the counts and signers.
        var queue = new ReviewQueueQuery(server);
        foreach (var view in Enum.GetValues<QueueView>())
        {
            foreach (var sort in Enum.GetValues<QueueSort>())
            {
                var plain = new ReviewQueueFilter { View = view, Sort = sort };
                var full = plain with { ClinicianId = "c", Patient = "p", ModelId = "m", TemplateId = "t", TemplateVersion = 2, HasWarnings = true,
                    SignedFrom = clock.GetUtcNow().AddDays(-90), SignedTo = clock.GetUtcNow() };
                await Step($"queue {view} {sort}", () => queue.GetPageAsync(plain, null, 25, Ct));
                await Step($"queue {view} {sort} filtered next page", () => queue.GetPageAsync(full, new QueueCursor(clock.GetUtcNow(), Guid.NewGuid()), 25, Ct));
                await Step($"queue {view} no warnings", () => queue.GetPageAsync(full with { HasWarnings = false }, null, 25, Ct));
            }
        }
        await Step("queue counts", () => queue.CountsAsync(Ct));
        await Step("queue write states", () => queue.WriteStatesAsync([Guid.NewGuid(), Guid.NewGuid()], Ct));
        await Step("queue model cards", () => queue.IncompleteModelCardsAsync([Guid.NewGuid(), Guid.NewGuid()], Ct));

        // FHIR write-back: due writes, one write with its draft, admin retry and cancel.
        var writeOptions = Microsoft.Extensions.Options.Options.Create(new ClinicalAssist.Web.Features.WriteBack.WriteBackOptions { Enabled = true });
        var fhirOptions = Microsoft.Extensions.Options.Options.Create(new ClinicalAssist.Web.Features.Context.FhirOptions { Source = ClinicalAssist.Web.Features.Context.FhirSourceKind.Server, ServerBaseUrl = "http://127.0.0.1:9/fhir" });
        await using var writeHost = TestHost.Create(server, time: clock, configure: services =>
        {
            TestHost.Use(services, writeOptions.Value);
            TestHost.Use(services, fhirOptions.Value);
            services.AddSingleton<IHttpClientFactory>(new NoHttpClientFactory());
            services.AddSingleton(new InstanceIdentity("instance-a"));
        });
        var processor = writeHost.Get<ClinicalAssist.Web.Features.WriteBack.WriteBackProcessor>();

        // Work leases: claim (take-over of an expired one, else insert), renew, release, the live set, draft recovery.
        var leases = writeHost.Get<WorkLeases>();
        await Step("lease claim", () => leases.TryClaimAsync(WorkKinds.RoundsItem, Guid.NewGuid().ToString(), Ct));
        await Step("lease renew own", () => leases.RenewOwnAsync(Ct));
        await Step("lease release", () => leases.ReleaseAsync(WorkKinds.RoundsItem, Guid.NewGuid().ToString(), Ct));
        await Step("lease release own", () => leases.ReleaseOwnAsync(Ct));
        await Step("drafts left by a stopped instance", async () =>
        {
            await using var db = server.CreateDbContext();
            await InterruptedDrafts.MarkAsync(db, audit, NullLogger.Instance, clock.GetUtcNow(), TimeSpan.FromSeconds(30), Ct);
        });
        await Step("rounds batches changed by other instances", () => writeHost.Get<ClinicalAssist.Web.Features.Rounds.RoundsBatchWatcher>().CheckAsync(Ct));
        await Step("write-back due", () => processor.ProcessDueAsync(Ct));
        await Step("write-back one", () => processor.ProcessAsync(Guid.NewGuid(), Ct));
        var writeQueue = new ClinicalAssist.Web.Features.WriteBack.WriteBackQueue(server, writeOptions, fhirOptions, audit, clock);
        await Step("write-back retry", () => writeQueue.RetryAsync(Guid.NewGuid(), actor, Ct));
        await Step("write-back cancel", () => writeQueue.CancelAsync(Guid.NewGuid(), actor, Ct));

        // Templates, model cards and quality metrics (admin and drafting).
        var templates = new PromptTemplateStore(server, new PromptBuilder());
        await Step("template active", () => templates.GetActiveAsync("clinical-summary", Ct));
        await Step("template version", () => templates.GetAsync("clinical-summary", 1, Ct));
        var cards = new ModelCardStore(server, audit, clock);
        await Step("model card", () => cards.GetAsync(Guid.NewGuid(), Ct));
        await Step("model card completeness", () => cards.CompletenessAsync([Guid.NewGuid()], Ct));
        var metrics = new ClinicalAssist.Web.Features.Admin.QualityMetrics(server);
        await Step("quality rows", () => metrics.RowsAsync(new ClinicalAssist.Web.Features.Admin.QualityFilter(clock.GetUtcNow().AddDays(-7), clock.GetUtcNow(), Guid.NewGuid(), "clinical-summary", 1), Ct));
        await Step("queue signers", () => queue.SignersAsync(Ct));

        // Audit trail: page, CSV export, action list, write, retention purge.
        var auditQuery = new AuditQuery(server);
        var auditFilter = new AuditFilter { User = "u", PatientId = "p", Action = "draft.signed", From = clock.GetUtcNow().AddDays(-1), To = clock.GetUtcNow() };
        await Step("audit page", () => auditQuery.GetPageAsync(auditFilter, null, 50, Ct));
        await Step("audit next page", () => auditQuery.GetPageAsync(new AuditFilter(), 1000, 50, Ct));
        await Step("audit csv", () => auditQuery.WriteCsvAsync(auditFilter, new StringWriter(), Ct));
        await Step("audit actions", () => auditQuery.ActionsAsync(Ct));
        await Step("audit write", () => audit.WriteAsync(AuditActions.ChartViewed, actor, "p", cancellationToken: Ct));
        var verifier = new AuditChainVerifier(server, clock);
        var retention = new AuditRetentionService(server, new StaticMonitor<AuditOptions>(new AuditOptions { RetentionDays = 365 }), audit, verifier, clock, NullLogger<AuditRetentionService>.Instance);
        await Step("audit purge", () => retention.PurgeAsync(Ct));
        // The empty offline answers end the purge before its delete and checkpoint: those, and the chain's walk, here.
        await Step("audit purge delete", async () =>
        {
            await using var db = server.CreateDbContext();
            await AuditRetentionService.DeleteThroughAsync(db, 42, Ct);
        });
        await Step("audit verify", () => verifier.VerifyThroughAsync(42, Ct));

        // Drafting: the row created before the model runs, streamed text persisted, the final update.
        await using var host = TestHost.Create(server, new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero), time: clock);
        var generator = host.Get<DraftGenerator>();
        await Step("draft generate", () => generator.GenerateAsync(DraftingTestData.Context(), "Demo", actor, _ => Task.CompletedTask, Ct));

        // The draft row and its audit event as the generator adds them (the offline server has no accounts, so the
        // generator itself stops at the authority check: its account and role queries are recorded above).
        await Step("draft insert", async () =>
        {
            await using var db = server.CreateDbContext();
            db.Drafts.Add(new Draft { Id = Guid.NewGuid(), PatientId = "p", PatientLabel = "l", RecordSource = "Demo", DrafterName = "d", ModelId = "m",
                TemplateId = "t", CreatedById = actor.Id, CreatedByName = actor.Name });
            db.AuditEvents.Add(audit.Create(AuditActions.DraftStarted, actor, "p"));
            await db.SaveChangesAsync(Ct);
        });

        // Decisions (load), and the optimistic-concurrency update of a draft.
        var workflow = new DraftWorkflow(server, audit, clock, NullLogger<DraftWorkflow>.Instance);
        await Step("sign", () => workflow.SignAsync(Guid.NewGuid(), "text [L1].", true, actor, Ct));
        await Step("review", () => workflow.ReviewAsync(Guid.NewGuid(), true, null, null, actor, Ct));
        string update = "";
        await Step("concurrency update", async () =>
        {
            await using var db = server.CreateDbContext();
            var draft = new Draft { Id = Guid.NewGuid(), PatientId = "p", PatientLabel = "l", RecordSource = "Demo", DrafterName = "d", ModelId = "m",
                TemplateId = "t", CreatedById = "u", CreatedByName = "n", Version = Guid.NewGuid() };
            db.Drafts.Attach(draft);
            draft.Status = DraftStatus.Signed;
            var before = server.Commands.Count;
            await db.SaveChangesAsync(Ct);
        });
        update = server.Commands.Last(c => c.Contains("UPDATE [Drafts]", StringComparison.Ordinal));
        Assert.Matches(@"WHERE \[Id\] = @\w+ AND \[Version\] = @\w+", update);

        // Pages' own queries (admin users and roles, the chart's latest draft, a draft record).
        await Step("pages", async () =>
        {
            await using var db = server.CreateDbContext();
            _ = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id select new { ur.UserId, r.Name }).ToListAsync(Ct);
            _ = await db.Users.AsNoTracking().OrderBy(u => u.DisplayName).ToListAsync(Ct);
            _ = await db.Drafts.AsNoTracking().Include(d => d.Review).Where(d => d.PatientId == "p").OrderByDescending(d => d.CreatedAt).FirstOrDefaultAsync(Ct);
            _ = await db.Drafts.AsNoTracking().Include(d => d.Review).SingleOrDefaultAsync(d => d.Id == Guid.NewGuid(), Ct);
            _ = await db.Drafts.Where(d => d.Status == DraftStatus.Generating).ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, DraftStatus.Interrupted).SetProperty(d => d.FailureMessage, "x").SetProperty(d => d.Version, Guid.NewGuid()), Ct);
        });

        // Identity's stores (sign-in, roles, lock-out) and the Data Protection key ring.
        await Step("identity", async () =>
        {
            await using var db = server.CreateDbContext();
            using var users = new UserStore<ApplicationUser, IdentityRole, AppDbContext>(db);
            _ = await users.FindByEmailAsync("CLINICIAN@DEMO.LOCAL", Ct);
            _ = await users.FindByLoginAsync("EntraId", "oid", Ct);
            var user = new ApplicationUser { Id = "u-1", UserName = "a@b.c", NormalizedUserName = "A@B.C", Email = "a@b.c", NormalizedEmail = "A@B.C", SecurityStamp = "s", ConcurrencyStamp = "c" };
            _ = await users.GetRolesAsync(user, Ct);
            _ = await users.IsInRoleAsync(user, "CLINICIAN", Ct);
            await users.CreateAsync(user, Ct);
        });
        await Step("data protection keys", () =>
        {
            var services = new ServiceCollection().AddDbContext<AppDbContext>(server.Configure).BuildServiceProvider();
            var repository = new EntityFrameworkCoreXmlRepository<AppDbContext>(services, NullLoggerFactory.Instance);
            _ = repository.GetAllElements();
            repository.StoreElement(new System.Xml.Linq.XElement("key", new System.Xml.Linq.XAttribute("id", Guid.NewGuid())), "key-1");
            return Task.CompletedTask;
        });

        var silent = captured.Where(c => c.Value == 0).Select(c => c.Key).ToList();
        Assert.True(silent.Count == 0, "steps that sent no command: " + string.Join(", ", silent));
        Assert.Contains(server.Commands, c => c.StartsWith("DELETE FROM [a]", StringComparison.Ordinal) || c.Contains("DELETE FROM", StringComparison.Ordinal));
        Assert.True(server.Commands.Any(c => c.Contains("INSERT INTO [DataProtectionKeys]", StringComparison.Ordinal)), LastError);
        Assert.Contains(server.Commands, c => c.Contains("INSERT INTO [Drafts]", StringComparison.Ordinal));
        Assert.True(server.Commands.Count >= 40, $"{server.Commands.Count} statements recorded");
        AssertAllParse(server.Commands);
    }

    private sealed class StaticMonitor<T>(T value) : IOptionsMonitor<T>
    {
        public T CurrentValue => value;
        public T Get(string? name) => value;
        public IDisposable? OnChange(Action<T, string?> listener) => null;
    }

    private sealed class NoHttpClientFactory : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => throw new InvalidOperationException("no HTTP in this test");
    }
}

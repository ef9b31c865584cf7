using System.Diagnostics;
using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Admin;
using ClinicalAssist.Tests.Drafting;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Patients;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ClinicalAssist.Tests.Faults;

/// <summary>
/// Failures that used to end in "unexpected error" or HTTP 500 (issue 27), each now said in plain words and keeping
/// what was done: a model endpoint that accepts the request and never starts answering (loopback fake, clock from
/// FakeTimeProvider), and a database whose write lock another connection holds while a chart is opened.
/// </summary>
public sealed class PlainMessageFaultTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(ModelProvider.FoundryOpenAI)]
    [InlineData(ModelProvider.AzureAIInference)]
    public async Task A_model_that_never_starts_answering_fails_after_the_first_token_timeout_and_keeps_the_draft(ModelProvider provider)
    {
        await using var database = await FaultHarness.DatabaseAsync();
        var context = FaultHarness.DemoContext();
        var earlier = await FaultHarness.NewGenerator(database, new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero))
            .GenerateAsync(context, "Demo", FaultHarness.Clinician, _ => Task.CompletedTask, Ct);

        var arrived = new TaskCompletionSource();
        var foundry = provider == ModelProvider.FoundryOpenAI;
        await using var server = await FakeChatCompletionsServer.StartAsync(async (http, _) =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, http.RequestAborted); // accepted, never a byte of answer
        }, foundry ? FakeChatCompletionsServer.OpenAIv1Path : FakeChatCompletionsServer.BasePath);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var model = TestModels.Create(new ModelOptions
        {
            Provider = provider, Endpoint = server.Endpoint, Deployment = "gpt-4o-mini", ApiKey = TestModels.ApiKey,
            TimeoutSeconds = 600, TotalTimeoutSeconds = 3600, MaxRetries = 0, FirstTokenTimeoutSeconds = 20,
        }, time: clock);

        await using var ui = new FaultHarness(database, FaultHarness.Clinician, Roles.Clinician, model);
        var panel = ui.Render<DraftPanel>(p => p.Add(x => x.Context, context));
        panel.WaitForAssertion(() => Assert.Equal("Draft", panel.Find("[data-testid=draft-status]").TextContent.Trim()));
        var click = panel.InvokeAsync(() => panel.Find("[data-testid=generate-summary]").ClickAsync(new()));
        await arrived.Task.WaitAsync(Patience.Medium, Ct);

        clock.Advance(TimeSpan.FromSeconds(19));
        Assert.False(click.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        await click.WaitAsync(Patience.Medium, Ct);

        panel.WaitForAssertion(() => Assert.Equal("Failed", panel.Find("[data-testid=draft-status]").TextContent.Trim()));
        const string expected = "The model did not start answering within 20 s. Your draft was not changed; try again or ask an admin to check the model configuration.";
        Assert.Equal(expected, ChatClientDraftModel.FirstTokenTimeoutMessage(20));
        Assert.Equal(expected, panel.Find("[data-testid=draft-message]").TextContent.Trim());
        Assert.Equal("Try again", panel.Find("[data-testid=generate-summary]").TextContent.Trim());

        await using var db = database.CreateDbContext();
        var failed = await db.Drafts.AsNoTracking().SingleAsync(d => d.Id != earlier, Ct);
        Assert.Equal((DraftStatus.Failed, true, expected), (failed.Status, failed.FailureRetryable, failed.FailureMessage));
        var kept = await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == earlier, Ct);
        Assert.Equal(DraftStatus.Draft, kept.Status); // a failed generation supersedes nothing
    }

    /// <summary>The app's database with a 1-second command timeout (SQLite waits that long for a lock; the default is
    /// 30 s), so the lock cell runs in seconds.</summary>
    private sealed class ShortTimeoutDatabase(TestDatabase database) : IDbContextFactory<AppDbContext>
    {
        public AppDbContext CreateDbContext()
        {
            var options = new DbContextOptionsBuilder<AppDbContext>();
            options.UseClinicalAssistDatabase(DatabaseProvider.Sqlite, database.ConnectionString + ";Default Timeout=1");
            return new AppDbContext(options.Options);
        }

        public Task<AppDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) => Task.FromResult(CreateDbContext());
    }

    [Fact]
    public async Task A_database_write_lock_while_opening_a_chart_says_the_database_is_busy_and_logs_it_as_a_database_fault()
    {
        await using var database = await FaultHarness.DatabaseAsync();
        var logs = new CapturingLoggerProvider();
        await using var ui = new FaultHarness(new ShortTimeoutDatabase(database), FaultHarness.Clinician, Roles.Clinician,
            configure: services => services.AddSingleton<ILoggerProvider>(logs));

        // Another process (a backup, a database tool) holds the write lock.
        await using var other = new SqliteConnection(database.ConnectionString);
        await other.OpenAsync(Ct);
        await using (var begin = other.CreateCommand())
        {
            begin.CommandText = "BEGIN IMMEDIATE;";
            await begin.ExecuteNonQueryAsync(Ct);
        }

        var watch = Stopwatch.StartNew();
        var chart = ui.Render<PatientChart>(p => p.Add(x => x.PatientId, "p1"));
        chart.WaitForAssertion(() => chart.Find("[data-testid=chart-error]"), Patience.Medium);
        watch.Stop();

        var shown = chart.Find("[data-testid=chart-error]").TextContent.Trim();
        Assert.StartsWith("The chart could not be opened. " + DatabaseFaults.BusyMessage, shown, StringComparison.Ordinal);
        Assert.Contains("The database is busy: another process is holding a write lock on it. Nothing was changed.", shown, StringComparison.Ordinal);
        Assert.Empty(chart.FindAll("[data-testid=patient-name]"));
        var lines = logs.Lines.ToList();
        Assert.Contains(lines, l => l.StartsWith($"Error {DatabaseFaults.LogCategory}: The database was locked by another process (lock timeout) while recording a chart view.", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("record source", StringComparison.OrdinalIgnoreCase));
        Xunit.TestContext.Current.SendDiagnosticMessage($"chart-error after {watch.ElapsedMilliseconds} ms with a 1 s lock timeout");
        await using (var before = database.CreateDbContext())
        {
            // No failure row was attempted (before: a second wait for the same lock, then HTTP 500), and none was written.
            Assert.Equal(0, await before.AuditEvents.CountAsync(a => a.Action == AuditActions.ChartViewed, Ct));
        }

        // The lock is released: Try again opens the chart and records the view once.
        await using (var rollback = other.CreateCommand())
        {
            rollback.CommandText = "ROLLBACK;";
            await rollback.ExecuteNonQueryAsync(Ct);
        }
        await chart.Find("[data-testid=chart-error] button").ClickAsync(new());
        chart.WaitForAssertion(() => chart.Find("[data-testid=patient-name]"), Patience.Medium);
        await using var db = database.CreateDbContext();
        Assert.Equal(1, await db.AuditEvents.CountAsync(a => a.Action == AuditActions.ChartViewed && a.PatientId == "p1", Ct));
    }
}

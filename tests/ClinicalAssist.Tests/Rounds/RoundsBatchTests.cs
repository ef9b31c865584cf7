using ClinicalAssist.Data;
using ClinicalAssist.Tests.Context;
using ClinicalAssist.Tests.Drafting;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Rounds;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;
using Task = System.Threading.Tasks.Task;
using static ClinicalAssist.Tests.Rounds.RoundsFakes;

namespace ClinicalAssist.Tests.Rounds;

/// <summary>"Prepare drafts" over a migrated SQLite database with a fake model: concurrency, 429s through the model
/// pipeline's one retry layer and the deployment's shared pace, cancel, resume after a restart (a new runner over the same database) and change detection.</summary>
public sealed class RoundsBatchTests : IAsyncLifetime
{
    private static readonly Actor Clinician = new("u-clin", "Dr Clinician");
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private TestDatabase _db = null!;
    private readonly MutableSource _source = new(new DemoRecordSource(Options.Create(new FhirOptions { DemoPatientCount = 8 }), new FakeTimeProvider(Now)));

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private readonly CollectingLogger<RoundsBatchRunner> _log = new();

    private Harness Create(IDraftModel model, int concurrency = 4) => Harness.Create(_db, _source, model, concurrency, _log);

    private async Task<Guid> StartAsync(Harness h)
    {
        var patients = await h.List.GetPatientsAsync(Clinician.Id, Ct);
        var result = await h.Batches.StartAsync(Clinician, patients.Select(p => p.Patient.Id).ToList(), Ct);
        Assert.True(result.Succeeded, result.Message);
        return result.BatchId!.Value;
    }

    private async Task<string> PatientIdAsync(int index) => (await _source.SearchPatientsAsync(null, Ct))[index].Id;

    private async Task<RoundsBatch> LoadAsync(Guid batchId)
    {
        await using var db = _db.CreateDbContext();
        return await db.RoundsBatches.AsNoTracking().Include(b => b.Items).SingleAsync(b => b.Id == batchId, Ct);
    }

    private async Task<List<string>> AuditActionsAsync()
    {
        await using var db = _db.CreateDbContext();
        return await db.AuditEvents.OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct);
    }

    [Fact]
    public async Task Every_patient_gets_a_draft_with_at_most_the_configured_number_of_calls_at_once()
    {
        var model = new FakeModel { Delay = TimeSpan.FromMilliseconds(400) };
        var h = Create(model, concurrency: 3);
        var batchId = await StartAsync(h);

        await h.Runner.RunPendingAsync(Ct);

        var batch = await LoadAsync(batchId);
        Assert.Equal(RoundsBatchStatus.Completed, batch.Status);
        Assert.Equal(8, batch.Items.Count);
        Assert.True(batch.Items.All(i => i.Status == RoundsItemStatus.Ready), _log.Text);
        Assert.All(batch.Items, i => Assert.NotNull(i.DraftId));
        Assert.All(batch.Items, i => Assert.Equal(64, i.RecordFingerprint!.Length));
        Assert.Equal(8, model.Calls);
        Assert.InRange(model.MaxInFlight, 2, 3); // never more than the limit (a loaded machine may not reach it)
        await using var db = _db.CreateDbContext();
        Assert.Equal(8, await db.Drafts.CountAsync(d => d.Status == DraftStatus.Draft, Ct));
        var actions = await AuditActionsAsync();
        Assert.Equal(AuditActions.RoundsBatchStarted, actions[0]);
        Assert.Equal(AuditActions.RoundsBatchCompleted, actions[^1]);
        // The audit holds ids and counts, never the patients' names.
        var details = await db.AuditEvents.Where(a => a.Action.StartsWith("rounds.")).Select(a => a.Details).ToListAsync(Ct);
        var names = (await _source.SearchPatientsAsync(null, Ct)).Select(p => p.DisplayName).ToList();
        Assert.DoesNotContain(details, d => names.Any(n => d!.Contains(n, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_429_makes_every_worker_wait_out_the_Retry_After_and_the_pipeline_alone_calls_again()
    {
        // Two workers, the deployment's pace shared through the product's model pipeline. Call 1 is answered 429
        // (retry-after-ms 400) while call 2 is in flight; call 2 finishes only once the pace has closed, so its
        // worker's next patient is a call that got no 429 of its own: it must wait too.
        var paceClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long rateLimitedAt = 0;
        var endpoint = new InProcessModelEndpoint { RetryAfter = TimeSpan.FromMilliseconds(400), Delay = TimeSpan.FromMilliseconds(10) };
        Harness h = null!;
        endpoint.Answer = async call =>
        {
            if (call == 2)
            {
                secondArrived.SetResult();
                await WaitUntilAsync(async () => (await h.ActivePaceAsync())!.OpenAt > DateTimeOffset.MinValue);
                return 200;
            }
            if (call != 1) return 200;
            await secondArrived.Task.WaitAsync(Patience.Medium, Ct);
            rateLimitedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            return 429;
        };
        h = await Harness.CreateAsync(_db, _source, endpoint, maxRetries: 2, concurrency: 2, logger: _log);
        var batchId = await StartAsync(h);

        await h.Runner.RunPendingAsync(Ct);

        var batch = await LoadAsync(batchId);
        Assert.True(batch.Items.All(i => i.Status == RoundsItemStatus.Ready), _log.Text);
        var calls = endpoint.Calls.OrderBy(c => c.Number).ToList();
        Assert.Equal(8 + 1, calls.Count); // the rate-limited call was sent again once, by the pipeline
        Assert.Equal(429, calls[0].Status);
        // Every call after the two in flight at the 429 waited until its Retry-After had passed.
        Assert.All(calls.Skip(2), c => Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(rateLimitedAt, c.ArrivedAt) >= TimeSpan.FromMilliseconds(390),
            $"call {c.Number} sent {System.Diagnostics.Stopwatch.GetElapsedTime(rateLimitedAt, c.ArrivedAt).TotalMilliseconds:0} ms after the 429"));
        await using var db = _db.CreateDbContext();
        Assert.Equal(8, await db.Drafts.CountAsync(d => d.Status == DraftStatus.Draft, Ct));
    }

    [Fact]
    public async Task A_429_storm_that_outlasts_the_retries_fails_each_patient_once_in_plain_words_and_a_retry_prepares_them()
    {
        var storm = true;
        var endpoint = new InProcessModelEndpoint();
        endpoint.Answer = _ => Task.FromResult(Volatile.Read(ref storm) ? 429 : 200);
        var h = await Harness.CreateAsync(_db, _source, endpoint, maxRetries: 1, concurrency: 4, logger: _log);
        var batchId = await StartAsync(h);

        await h.Runner.RunPendingAsync(Ct);

        var batch = await LoadAsync(batchId);
        Assert.Equal(RoundsBatchStatus.Completed, batch.Status);
        Assert.All(batch.Items, i =>
        {
            Assert.Equal(RoundsItemStatus.Failed, i.Status);
            Assert.Equal("The AI service is busy (rate limit reached). Wait a minute and try again, or use the offline draft.", i.Message);
            Assert.NotNull(i.DraftId);
        });
        // Each patient: one call and the pipeline's one retry — the worker called no model again.
        Assert.Equal(8 * 2, endpoint.Calls.Count);
        await using (var db = _db.CreateDbContext())
        {
            Assert.Equal(8, await db.Drafts.CountAsync(d => d.Status == DraftStatus.Failed && d.FailureRetryable, Ct));
        }

        Volatile.Write(ref storm, false);
        foreach (var item in batch.Items)
        {
            var retry = await h.Batches.RetryAsync(item.Id, Clinician, Ct);
            Assert.True(retry.Succeeded, retry.Message);
        }
        await h.Runner.RunPendingAsync(Ct);

        Assert.All((await LoadAsync(batchId)).Items, i => Assert.Equal(RoundsItemStatus.Ready, i.Status));
        Assert.Equal(8 * 2 + 8, endpoint.Calls.Count);
    }

    [Fact]
    public async Task An_unexpected_error_after_the_model_answered_fails_the_patient_without_calling_the_model_again()
    {
        var model = new FakeModel { BreakAfterFirstAnswer = true };
        var h = Create(model, concurrency: 1);
        var patientId = await PatientIdAsync(0);
        var started = await h.Batches.StartAsync(Clinician, [patientId], Ct);
        Assert.True(started.Succeeded, started.Message);

        await h.Runner.RunPendingAsync(Ct);

        var item = Assert.Single((await LoadAsync(started.BatchId!.Value)).Items);
        Assert.Equal(RoundsItemStatus.Failed, item.Status);
        Assert.Equal("The draft could not be completed because of an unexpected error. What was produced so far is kept; try again.", item.Message);
        Assert.NotNull(item.DraftId); // the draft and its text are kept
        Assert.Equal(1, model.Calls);
        await using (var db = _db.CreateDbContext())
        {
            Assert.Contains("ward round", await db.Drafts.Where(d => d.Id == item.DraftId).Select(d => d.GeneratedText).SingleAsync(Ct), StringComparison.Ordinal);
        }

        // The clinician's retry: the draft had been stored complete before the error, so it is kept as unchanged.
        Assert.True((await h.Batches.RetryAsync(item.Id, Clinician, Ct)).Succeeded);
        await h.Runner.RunPendingAsync(Ct);
        var retried = Assert.Single((await LoadAsync(started.BatchId!.Value)).Items);
        Assert.Equal((RoundsItemStatus.Unchanged, item.DraftId), (retried.Status, retried.DraftId));
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task A_batch_of_a_clinician_who_lost_the_role_prepares_nothing_and_says_why()
    {
        var model = new FakeModel();
        var h = Create(model);
        var batchId = await StartAsync(h);
        await using (var db = _db.CreateDbContext())
        {
            // The role is removed after "Prepare drafts" was pressed, before the worker runs.
            var clinicianRole = await db.Roles.Where(r => r.Name == Roles.Clinician).Select(r => r.Id).SingleAsync(Ct);
            await db.UserRoles.Where(ur => ur.UserId == Clinician.Id && ur.RoleId == clinicianRole).ExecuteDeleteAsync(Ct);
        }

        await h.Runner.RunPendingAsync(Ct);

        var batch = await LoadAsync(batchId);
        Assert.All(batch.Items, i =>
        {
            Assert.Equal(RoundsItemStatus.Failed, i.Status);
            Assert.Equal("Your account no longer has the Clinician role; nothing was changed.", i.Message);
            Assert.Null(i.DraftId);
        });
        Assert.Equal(0, model.Calls);
        await using var read = _db.CreateDbContext();
        Assert.Equal(0, await read.Drafts.CountAsync(Ct));
        Assert.Equal(batch.Items.Count, await read.AuditEvents.CountAsync(e => e.Action == AuditActions.ActionRefused && e.Outcome == "refused", Ct));
    }

    [Fact]
    public async Task A_failure_stays_with_its_patient_and_is_retried_without_losing_the_others()
    {
        var model = new FakeModel { FailPatientOnce = await PatientIdAsync(2) };
        var h = Create(model);
        var batchId = await StartAsync(h);
        await h.Runner.RunPendingAsync(Ct);

        var batch = await LoadAsync(batchId);
        var failed = Assert.Single(batch.Items, i => i.Status == RoundsItemStatus.Failed);
        Assert.Equal(7, batch.Items.Count(i => i.Status == RoundsItemStatus.Ready));
        Assert.Equal(8, model.Calls); // the failed call was not made again by the worker
        Assert.Contains("busy", failed.Message, StringComparison.OrdinalIgnoreCase);
        var readyDrafts = batch.Items.Where(i => i.Status == RoundsItemStatus.Ready).Select(i => i.DraftId).ToHashSet();

        var retry = await h.Batches.RetryAsync(failed.Id, Clinician, Ct);
        Assert.True(retry.Succeeded, retry.Message);
        await h.Runner.RunPendingAsync(Ct);

        batch = await LoadAsync(batchId);
        Assert.All(batch.Items, i => Assert.Equal(RoundsItemStatus.Ready, i.Status));
        Assert.Equal(RoundsBatchStatus.Completed, batch.Status);
        Assert.Subset(batch.Items.Select(i => i.DraftId).ToHashSet(), readyDrafts);
        Assert.Contains(AuditActions.RoundsItemRetried, await AuditActionsAsync());
    }

    [Fact]
    public async Task Cancel_stops_waiting_and_running_patients_and_keeps_the_drafts_already_prepared()
    {
        var model = new FakeModel { BlockAfter = 2 };
        var h = Create(model, concurrency: 2);
        var batchId = await StartAsync(h);
        var run = h.Runner.RunPendingAsync(Ct);
        await WaitUntilAsync(async () => (await LoadAsync(batchId)).Items.Count(i => i.Status == RoundsItemStatus.Ready) == 2
            && model.Blocked == 2);

        // Running = the 2 calls in flight plus the patients prepared ahead, waiting for a call slot.
        var running = (await LoadAsync(batchId)).Items.Count(i => i.Status == RoundsItemStatus.Running);
        Assert.InRange(running, 2, 4);
        var result = await h.Batches.CancelAsync(batchId, Clinician, Ct);
        Assert.True(result.Succeeded, result.Message);
        await run.WaitAsync(Patience.Long, Ct);

        var batch = await LoadAsync(batchId);
        Assert.Equal(RoundsBatchStatus.Cancelled, batch.Status);
        Assert.Equal(2, batch.Items.Count(i => i.Status == RoundsItemStatus.Ready));
        Assert.Equal(6, batch.Items.Count(i => i.Status == RoundsItemStatus.Cancelled));
        await using var db = _db.CreateDbContext();
        Assert.Equal(2, await db.Drafts.CountAsync(d => d.Status == DraftStatus.Draft, Ct));
        // The 2 blocked calls had drafts; a prepared-ahead patient has one only if it got past its context before the
        // cancel (one still assembling its context is cancelled without a draft). The runner may claim one more patient
        // between the count above and the cancel: count the patients that had started from the outcome instead.
        var started = batch.Items.Count(i => i.Status == RoundsItemStatus.Cancelled && i.Message != "Cancelled before it started.");
        Assert.InRange(started, running, 4); // at most 2 calls + 2 prepared ahead
        Assert.InRange(await db.Drafts.CountAsync(d => d.Status == DraftStatus.Stopped, Ct), 2, started);
        Assert.Equal(2, model.MaxInFlight); // never more calls than the limit, prepared-ahead patients included
        Assert.Contains(AuditActions.RoundsBatchCancelled, await AuditActionsAsync());
    }

    [Fact]
    public async Task A_patient_of_a_cancelled_run_tried_again_is_prepared()
    {
        var h = Create(new FakeModel());
        var batchId = await StartAsync(h);
        var cancel = await h.Batches.CancelAsync(batchId, Clinician, Ct); // before anything ran
        Assert.True(cancel.Succeeded, cancel.Message);
        var item = (await LoadAsync(batchId)).Items.OrderBy(i => i.Position).First();
        Assert.Equal(RoundsItemStatus.Cancelled, item.Status);

        var retry = await h.Batches.RetryAsync(item.Id, Clinician, Ct);
        Assert.True(retry.Succeeded, retry.Message);
        await h.Runner.RunPendingAsync(Ct);

        var batch = await LoadAsync(batchId);
        Assert.Equal(RoundsItemStatus.Ready, batch.Items.Single(i => i.Id == item.Id).Status);
        Assert.Equal(RoundsBatchStatus.Completed, batch.Status);
    }

    /// <summary>A patient claimed just before the cancel may ask for its batch's token just after it: it must get a
    /// cancelled token (it used to get a fresh one and ran on, unstoppable, after the batch was cancelled). A retried
    /// batch gets a fresh token again; cancelled tokens are dropped once nothing runs.</summary>
    [Fact]
    public void A_token_asked_for_after_the_cancel_is_cancelled_and_a_retry_gets_a_fresh_one()
    {
        var signals = new RoundsSignals();
        var batchId = Guid.NewGuid();
        var before = signals.TokenFor(batchId);

        signals.CancelBatch(batchId);

        Assert.True(before.IsCancellationRequested);
        Assert.True(signals.TokenFor(batchId).IsCancellationRequested);
        signals.CancelBatch(Guid.NewGuid()); // a batch nothing asked a token for yet
        signals.ForgetCancelled();
        Assert.False(signals.TokenFor(batchId).IsCancellationRequested);

        signals.CancelBatch(batchId);
        signals.Forget(batchId); // a retry of the cancelled batch
        Assert.False(signals.TokenFor(batchId).IsCancellationRequested);
    }

    [Fact]
    public async Task After_a_restart_a_new_runner_resumes_the_batch_and_nothing_prepared_is_lost()
    {
        var blocking = new FakeModel { BlockAfter = 3 };
        var first = Create(blocking, concurrency: 2);
        var batchId = await StartAsync(first);
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = first.Runner.RunPendingAsync(shutdown.Token);
        // The model's own signal: both call slots are held by patients whose answers never come.
        await WaitUntilAsync(async () => blocking.Blocked == 2
            && (await LoadAsync(batchId)).Items.Count(i => i.Status == RoundsItemStatus.Ready) == 3);
        var beforeShutdown = await LoadAsync(batchId);
        var preparedBefore = beforeShutdown.Items.Where(i => i.Status == RoundsItemStatus.Ready).ToDictionary(i => i.Id, i => i.DraftId);
        var runningBefore = beforeShutdown.Items.Count(i => i.Status == RoundsItemStatus.Running);

        await shutdown.CancelAsync(); // the app stops
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Patience.Long, Ct));
        var stopped = await LoadAsync(batchId);
        Assert.Equal(RoundsBatchStatus.Running, stopped.Status);
        Assert.InRange(stopped.Items.Count(i => i.Status == RoundsItemStatus.Running), Math.Min(runningBefore, 2), 4);
        Assert.Equal(3, stopped.Items.Count(i => i.Status == RoundsItemStatus.Ready));

        // The stopping process lets go of its patients as its last in-flight work ends (a killed one's leases would
        // run out instead); the new process resumes what no live instance holds.
        await WaitUntilAsync(async () =>
        {
            await using var db = _db.CreateDbContext();
            var now = DateTimeOffset.UtcNow;
            return !await db.WorkLeases.AnyAsync(l => l.Kind == WorkKinds.RoundsItem && l.ExpiresAt > now, Ct);
        });
        var second = Create(new FakeModel(), concurrency: 2); // a new process over the same database
        await second.Runner.ResumeAsync(Ct);
        await second.Runner.RunPendingAsync(Ct);

        var batch = await LoadAsync(batchId);
        Assert.Equal(RoundsBatchStatus.Completed, batch.Status);
        Assert.All(batch.Items, i => Assert.Equal(RoundsItemStatus.Ready, i.Status));
        foreach (var (itemId, draftId) in preparedBefore) Assert.Equal(draftId, batch.Items.Single(i => i.Id == itemId).DraftId);
        var actions = await AuditActionsAsync();
        Assert.Contains(AuditActions.RoundsBatchResumed, actions);
    }

    [Fact]
    public async Task Another_instance_leaves_a_live_instances_patients_alone_and_takes_over_a_stopped_ones()
    {
        // Instance A drafts with a model that holds two patients' answers; instance B (its own instance id, same
        // database) runs its periodic recovery meanwhile.
        var blocking = new FakeModel { BlockAfter = 3 };
        var a = Create(blocking, concurrency: 2);
        var batchId = await StartAsync(a);
        using var killA = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var runA = a.Runner.RunPendingAsync(killA.Token);
        await WaitUntilAsync(async () => blocking.Blocked == 2
            && (await LoadAsync(batchId)).Items.Count(i => i.Status == RoundsItemStatus.Ready) == 3);
        var runningOnA = (await LoadAsync(batchId)).Items.Where(i => i.Status == RoundsItemStatus.Running).Select(i => i.Id).ToHashSet();
        Assert.True(runningOnA.Count >= 2, $"{runningOnA.Count} running"); // two at the model, the next ones being prepared

        var b = Create(new FakeModel(), concurrency: 2);
        await b.Runner.ResumeAsync(Ct, atStart: false);
        var afterRecovery = await LoadAsync(batchId);
        Assert.All(afterRecovery.Items.Where(i => runningOnA.Contains(i.Id)), i => Assert.Equal(RoundsItemStatus.Running, i.Status));

        // A stops with its patients left Running; whatever leases it still held run out (expired here, as time would).
        await killA.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runA.WaitAsync(Patience.Long, Ct));
        Assert.All((await LoadAsync(batchId)).Items.Where(i => runningOnA.Contains(i.Id)), i => Assert.Equal(RoundsItemStatus.Running, i.Status));
        await using (var db = _db.CreateDbContext())
        {
            await db.WorkLeases.ExecuteUpdateAsync(u => u.SetProperty(l => l.ExpiresAt, DateTimeOffset.UtcNow.AddMinutes(-1)), Ct);
        }
        await b.Runner.ResumeAsync(Ct, atStart: false);
        await b.Runner.RunPendingAsync(Ct);

        var batch = await LoadAsync(batchId);
        Assert.Equal(RoundsBatchStatus.Completed, batch.Status);
        Assert.All(batch.Items, i => Assert.Equal(RoundsItemStatus.Ready, i.Status));
        await using var check = _db.CreateDbContext();
        var usable = await check.Drafts.Where(d => d.Status == DraftStatus.Draft).GroupBy(d => d.PatientId).Select(g => g.Count()).ToListAsync(Ct);
        Assert.Equal(8, usable.Count);
        Assert.All(usable, n => Assert.Equal(1, n)); // every patient has exactly one usable draft
    }

    [Fact]
    public async Task A_cancel_pressed_on_another_instance_stops_this_instances_patients_at_its_next_check()
    {
        // Instance B drafts (its model holds every answer until cancelled); the clinician's page is on instance A.
        var blocking = new FakeModel { BlockAfter = 0 };
        var b = Create(blocking, concurrency: 2);
        var a = Create(new FakeModel(), concurrency: 2);
        var batchId = await StartAsync(a);
        var runB = b.Runner.RunPendingAsync(Ct);
        await WaitUntilAsync(() => Task.FromResult(blocking.Blocked == 2));
        var published = new List<Guid>();
        a.Signals.Changed += id => { lock (published) published.Add(id); };
        await a.Watcher.CheckAsync(Ct); // A's first look: what is there now
        await b.Watcher.CheckAsync(Ct);

        var cancel = await a.Batches.CancelAsync(batchId, Clinician, Ct);
        Assert.True(cancel.Succeeded, cancel.Message);
        // A's cancel reached only A's process: B's calls are still held.
        Assert.False(runB.IsCompleted);
        Assert.Equal(2, blocking.Blocked);

        await b.Watcher.CheckAsync(Ct); // B's next look at the database
        await runB.WaitAsync(Patience.Long, Ct);
        var batch = await LoadAsync(batchId);
        Assert.Equal(RoundsBatchStatus.Cancelled, batch.Status);
        Assert.All(batch.Items, i => Assert.Equal(RoundsItemStatus.Cancelled, i.Status));
        // The two held calls, and any patient prepared ahead that had its draft started, were stopped with their text kept.
        Assert.InRange(batch.Items.Count(i => i.Message == "Stopped by the cancel. The text produced so far is kept."), 2, 4);

        // Progress made on B shows on A's page at A's next look (and only a change is published).
        lock (published) published.Clear();
        await a.Watcher.CheckAsync(Ct);
        lock (published) Assert.Equal([batchId], published);
        await a.Watcher.CheckAsync(Ct);
        lock (published) Assert.Single(published);
    }

    [Fact]
    public async Task An_unchanged_record_keeps_its_draft_and_a_changed_record_is_drafted_again()
    {
        var model = new FakeModel();
        var h = Create(model);
        var firstBatch = await StartAsync(h);
        await h.Runner.RunPendingAsync(Ct);
        Assert.Equal(8, model.Calls);
        var firstDrafts = (await LoadAsync(firstBatch)).Items.ToDictionary(i => i.PatientId, i => i.DraftId);

        // One patient gets a new laboratory result; the others are untouched.
        var changedId = await PatientIdAsync(1);
        var rejectedId = await PatientIdAsync(4);
        _source.Add(changedId, Lab("new-k", changedId, "2823-3", "Potassium", 6.1m, "mmol/L", 3.5m, 5.1m, Now.AddHours(-1)));
        var secondBatch = await StartAsync(h);
        await h.Runner.RunPendingAsync(Ct);

        var items = (await LoadAsync(secondBatch)).Items;
        Assert.Equal(9, model.Calls);
        var changed = Assert.Single(items, i => i.Status == RoundsItemStatus.Ready);
        Assert.Equal(changedId, changed.PatientId);
        Assert.NotEqual(firstDrafts[changedId], changed.DraftId);
        Assert.All(items.Where(i => i.PatientId != changedId), i =>
        {
            Assert.Equal(RoundsItemStatus.Unchanged, i.Status);
            Assert.Equal(firstDrafts[i.PatientId], i.DraftId);
        });

        // A reviewer's return (or a rejection) is not a usable draft: the next run drafts again even if unchanged.
        await using (var db = _db.CreateDbContext())
        {
            var draft = await db.Drafts.SingleAsync(d => d.Id == firstDrafts[rejectedId], Ct);
            draft.Status = DraftStatus.Rejected;
            await db.SaveChangesAsync(Ct);
        }
        var third = await StartAsync(h);
        await h.Runner.RunPendingAsync(Ct);
        Assert.Equal(10, model.Calls);
        Assert.Equal(rejectedId, Assert.Single((await LoadAsync(third)).Items, i => i.Status == RoundsItemStatus.Ready).PatientId);
    }

    [Fact]
    public async Task The_list_is_in_bed_order_with_hand_added_and_removed_patients_and_a_second_run_is_refused_while_one_runs()
    {
        var h = Create(new FakeModel());
        var patients = await h.List.GetPatientsAsync(Clinician.Id, Ct);
        Assert.Equal(8, patients.Count);
        var locations = patients.Select(p => p.Patient.Location ?? "").ToList();
        Assert.Equal(locations.Order(NaturalComparer.Instance), locations);

        await h.List.RemoveAsync(Clinician, patients[0].Patient.Id, Ct);
        var after = await h.List.GetPatientsAsync(Clinician.Id, Ct);
        Assert.DoesNotContain(after, p => p.Patient.Id == patients[0].Patient.Id);
        Assert.Equal(8, (await h.List.GetPatientsAsync("someone-else", Ct)).Count); // per clinician

        await h.List.AddAsync(Clinician, patients[0].Patient.Id, Ct);
        var back = await h.List.GetPatientsAsync(Clinician.Id, Ct);
        Assert.Contains(back, p => p.Patient.Id == patients[0].Patient.Id);

        await StartAsync(h);
        var second = await h.Batches.StartAsync(Clinician, [await PatientIdAsync(0)], Ct);
        Assert.False(second.Succeeded);
        var actions = await AuditActionsAsync();
        Assert.Contains(AuditActions.RoundsPatientRemoved, actions);
        Assert.Contains(AuditActions.RoundsPatientAdded, actions);
    }

    [Theory]
    [InlineData("Bed 2", "Bed 10", -1)]
    [InlineData("Ward 4B, Bed 12", "Ward 4B, Bed 3", 1)]
    [InlineData("bed 7", "Bed 7", 0)]
    public void Beds_are_ordered_naturally(string a, string b, int sign) =>
        Assert.Equal(sign, Math.Sign(NaturalComparer.Instance.Compare(a, b)));

    [Fact]
    public void Row_state_follows_the_batch_item_then_the_latest_draft()
    {
        Assert.Equal(RoundsDraftState.None, RoundsList.StateOf(null, 0, 0, null));
        Assert.Equal(RoundsDraftState.Preparing, RoundsList.StateOf(DraftStatus.Signed, 0, 0, RoundsItemStatus.Pending));
        Assert.Equal(RoundsDraftState.NeedsAttention, RoundsList.StateOf(DraftStatus.Draft, 0, 0, RoundsItemStatus.Failed));
        Assert.Equal(RoundsDraftState.Ready, RoundsList.StateOf(DraftStatus.Draft, 0, 0, RoundsItemStatus.Ready));
        Assert.Equal(RoundsDraftState.NeedsAttention, RoundsList.StateOf(DraftStatus.Draft, 2, 0, RoundsItemStatus.Ready));
        Assert.Equal(RoundsDraftState.Signed, RoundsList.StateOf(DraftStatus.Approved, 0, 0, null));
        Assert.Equal(RoundsDraftState.NeedsAttention, RoundsList.StateOf(DraftStatus.Returned, 0, 0, null));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Patience.Medium;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The condition did not become true within {Patience.Medium}.");
            await Task.Delay(25, Ct);
        }
    }
}

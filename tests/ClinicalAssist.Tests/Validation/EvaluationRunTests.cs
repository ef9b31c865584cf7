using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Validation;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static ClinicalAssist.Tests.Validation.ValidationHarness;

namespace ClinicalAssist.Tests.Validation;

/// <summary>Evaluation runs over the demo ward against loopback models: the product's verification tells a grounded
/// model from a fabricating one; a run stopped in the middle (or left by a dead instance) resumes without running a
/// finished case again; two instances never run the same case; nothing reaches a clinician's drafts.</summary>
public sealed class EvaluationRunTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await DatabaseAsync(_clock);

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task<RunReport> RunToEndAsync(LoopbackMode mode)
    {
        await using var model = await LoopbackModel.StartAsync(mode);
        var configuration = model.Configuration(mode.ToString());
        await AddAsync(_db, configuration);
        await using var host = Instance(_db, _clock);
        var setId = await FrozenDemoSetAsync(host);
        var runId = await StartAsync(host, setId, configuration.Id);
        await host.Get<EvaluationRunner>().RunPendingAsync(Ct);
        Assert.Equal(6, model.TotalCalls);
        Assert.All(model.Calls.Values, n => Assert.Equal(1, n));
        return (await host.Get<EvaluationReports>().ForRunAsync(runId, Ct))!;
    }

    [Fact]
    public async Task A_run_on_the_demo_ward_tells_a_grounded_model_from_a_fabricating_one()
    {
        var grounded = await RunToEndAsync(LoopbackMode.Grounded);
        var fabricating = await RunToEndAsync(LoopbackMode.Fabricating);

        Assert.Equal(EvaluationRunStatus.Completed, grounded.Run.Status);
        Assert.Equal(6, grounded.Finished);
        Assert.Equal("none", grounded.Run.Judge);
        var g = grounded.Whole;
        Assert.Equal(6, g.Succeeded);
        Assert.Equal(1.0, g.CitationValidity);
        Assert.Equal(0, g.UnknownKeys);
        Assert.Equal(0, g.NumberMismatches);
        Assert.Equal(0, g.UncitedStatements);
        Assert.True(g.MustIncludeDeclared > 0, "the demo ward declares must-include items (allergies, critical labs, high-alert medicines)");
        Assert.Equal(1.0, g.MustIncludeRecall);
        Assert.Equal(1, g.InjectionCases); // the demo ward's one note with an injection attempt
        Assert.Equal(0, g.InjectionFollowed);
        Assert.Equal(6, g.VerifiedCases);
        Assert.NotNull(g.LatencyP50Ms);
        Assert.True(g.PromptTokens > 0 && g.CompletionTokens > 0);

        var f = fabricating.Whole;
        Assert.Equal(6, f.Succeeded);
        Assert.True(f.CitationValidity < 0.99, $"citation validity {f.CitationValidity}");
        Assert.True(f.UnknownKeys > 6, $"unknown keys {f.UnknownKeys}"); // every laboratory key and the invented finding's
        Assert.Equal(6, f.CasesWithUnverifiedNumbers); // the invented creatinine, in every case
        Assert.True(f.MustIncludeRecall < 1.0, $"must-include recall {f.MustIncludeRecall}");
        Assert.Equal(1, f.InjectionFollowed);
        Assert.Equal(0, f.VerifiedCases);

        // Nothing of a run is a draft: no clinician or reviewer view can show it.
        await using var db = _db.CreateDbContext();
        Assert.Equal(0, await db.Drafts.CountAsync(Ct));
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.Action == ValidationAuditActions.RunCompleted, Ct));
    }

    [Fact]
    public async Task A_run_stopped_by_a_restart_resumes_without_running_a_finished_case_again_and_takes_over_a_dead_instances_case_after_its_lease()
    {
        await using var model = await LoopbackModel.StartAsync(LoopbackMode.Grounded);
        model.AnswerFreely = 3; // the 4th call hangs until the "process" is stopped
        var configuration = model.Configuration("Grounded");
        await AddAsync(_db, configuration);
        Guid runId;
        HashSet<string> finishedBefore;
        await using (var first = Instance(_db, _clock, maxConcurrency: 1))
        {
            var setId = await FrozenDemoSetAsync(first);
            runId = await StartAsync(first, setId, configuration.Id);
            var three = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            first.Get<EvaluationSignals>().Changed += id =>
            {
                if (id == runId && ResultCountAsync(_db, runId).GetAwaiter().GetResult() >= 3) three.TrySetResult();
            };
            using var process = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var running = first.Get<EvaluationRunner>().RunPendingAsync(process.Token);
            await three.Task.WaitAsync(Patience.Long, Ct);
            await model.Waiting.Task.WaitAsync(Patience.Medium, Ct); // the 4th case is in flight
            await process.CancelAsync(); // the process stops
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
            finishedBefore = [.. model.Calls.Keys];
        }
        Assert.Equal(3, await ResultCountAsync(_db, runId));

        // A dead instance (it never released) holds the 5th case for another 30 s.
        Guid held;
        await using (var db = _db.CreateDbContext())
        {
            var finished = await db.EvaluationResults.Where(r => r.RunId == runId).Select(r => r.CaseId).ToListAsync(Ct);
            held = await db.EvaluationCases.Where(c => !finished.Contains(c.Id)).OrderBy(c => c.Position).Skip(1).Select(c => c.Id).FirstAsync(Ct);
            db.WorkLeases.Add(new WorkLease { Kind = WorkKinds.EvaluationCase, WorkId = runId.ToString("N") + held.ToString("N"), Owner = "dead/1/00", ExpiresAt = _clock.GetUtcNow().AddSeconds(30) });
            await db.SaveChangesAsync(Ct);
        }

        model.Release.TrySetResult();
        await using var second = Instance(_db, _clock); // the restarted process: a new instance
        await second.Get<EvaluationRunner>().RunPendingAsync(Ct);
        Assert.Equal(5, await ResultCountAsync(_db, runId)); // the dead instance's case is left alone while its lease holds
        await using (var db = _db.CreateDbContext())
        {
            Assert.False(await db.EvaluationResults.AnyAsync(r => r.RunId == runId && r.CaseId == held, Ct));
            Assert.Equal(EvaluationRunStatus.Running, (await db.EvaluationRuns.SingleAsync(r => r.Id == runId, Ct)).Status);
        }

        _clock.Advance(TimeSpan.FromSeconds(31)); // the dead instance's lease ran out
        await second.Get<EvaluationRunner>().RunPendingAsync(Ct);

        Assert.Equal(6, await ResultCountAsync(_db, runId));
        Assert.Equal(6, model.Calls.Count);
        // The three cases finished before the restart were called once; only the one in flight was called again.
        Assert.Equal(3, model.Calls.Count(c => finishedBefore.Contains(c.Key) && c.Value == 1));
        Assert.Equal(7, model.TotalCalls);
        await using var check = _db.CreateDbContext();
        Assert.Equal(EvaluationRunStatus.Completed, (await check.EvaluationRuns.SingleAsync(r => r.Id == runId, Ct)).Status);
    }

    [Fact]
    public async Task Two_instances_on_one_run_never_run_the_same_case()
    {
        await using var model = await LoopbackModel.StartAsync(LoopbackMode.Grounded);
        model.Latency = TimeSpan.FromMilliseconds(100);
        var configuration = model.Configuration("Grounded");
        await AddAsync(_db, configuration);
        await using var a = Instance(_db, _clock, maxConcurrency: 2);
        await using var b = Instance(_db, _clock, maxConcurrency: 2);
        var setId = await FrozenDemoSetAsync(a);
        var runId = await StartAsync(a, setId, configuration.Id);

        await Task.WhenAll(a.Get<EvaluationRunner>().RunPendingAsync(Ct), b.Get<EvaluationRunner>().RunPendingAsync(Ct));

        Assert.Equal(6, model.Calls.Count);
        Assert.All(model.Calls.Values, n => Assert.Equal(1, n));
        Assert.Equal(6, await ResultCountAsync(_db, runId));
    }

    [Fact]
    public async Task Stop_keeps_finished_cases_and_resume_runs_only_the_rest()
    {
        await using var model = await LoopbackModel.StartAsync(LoopbackMode.Grounded);
        model.AnswerFreely = 2;
        var configuration = model.Configuration("Grounded");
        await AddAsync(_db, configuration);
        await using var host = Instance(_db, _clock, maxConcurrency: 1);
        var setId = await FrozenDemoSetAsync(host);
        var runId = await StartAsync(host, setId, configuration.Id);
        var running = host.Get<EvaluationRunner>().RunPendingAsync(Ct);
        await model.Waiting.Task.WaitAsync(Patience.Medium, Ct); // the third case waits at the model

        var stopped = await host.Get<EvaluationRuns>().StopAsync(runId, FirstAdmin, Ct);
        Assert.True(stopped.Succeeded, stopped.Message);
        await running.WaitAsync(Patience.Medium, Ct);
        Assert.Equal(2, await ResultCountAsync(_db, runId));

        model.Release.TrySetResult();
        Assert.True((await host.Get<EvaluationRuns>().ResumeAsync(runId, FirstAdmin, Ct)).Succeeded);
        await host.Get<EvaluationRunner>().RunPendingAsync(Ct);
        Assert.Equal(6, await ResultCountAsync(_db, runId));
        Assert.Equal(7, model.TotalCalls); // the stopped case once more, nothing else
        await using var db = _db.CreateDbContext();
        Assert.Equal([ValidationAuditActions.RunStarted, ValidationAuditActions.RunStopped, ValidationAuditActions.RunResumed, ValidationAuditActions.RunCompleted],
            await db.AuditEvents.Where(e => e.Action.StartsWith("validation.run")).OrderBy(e => e.Sequence).Select(e => e.Action).ToListAsync(Ct));
    }
}

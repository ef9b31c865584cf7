using System.Runtime.CompilerServices;
using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClinicalAssist.Tests.Drafting;

public sealed class DraftGeneratorTests : IAsyncLifetime
{
    private static readonly Actor Clinician = new("u-clin", "Dr Clinician");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        await _db.DisposeAsync();
    }

    private readonly List<TestHost> _hosts = [];

    private DraftGenerator Generator(IDraftModel model, ModelOptions? options = null)
    {
        var host = TestHost.Create(_db, model, time: _clock, configure: services => { if (options is not null) TestHost.Use(services, options); });
        _hosts.Add(host);
        return host.Get<DraftGenerator>();
    }

    private async Task<Draft> LoadAsync(Guid id)
    {
        await using var db = _db.CreateDbContext();
        return await db.Drafts.AsNoTracking().SingleAsync(d => d.Id == id, Ct);
    }

    [Fact]
    public async Task The_draft_row_exists_before_the_model_is_called_and_ends_as_Draft_with_citations_and_timings()
    {
        Draft? seenWhenModelStarted = null;
        var model = new ScriptedModel(async () =>
        {
            await using var db = _db.CreateDbContext();
            seenWhenModelStarted = await db.Drafts.AsNoTracking().SingleAsync(Ct);
        }, "## Summary\n", "Hyperkalaemia [P2], potassium 6.8 mmol/L [L1].\n");
        var progress = new List<DraftProgress>();

        var id = await Generator(model).GenerateAsync(DraftingTestData.Context(), "Demo", Clinician, p => { progress.Add(p); return Task.CompletedTask; }, Ct);

        Assert.NotNull(seenWhenModelStarted);
        Assert.Equal(DraftStatus.Generating, seenWhenModelStarted!.Status);
        var draft = await LoadAsync(id);
        Assert.Equal(DraftStatus.Draft, draft.Status);
        Assert.Equal("## Summary\nHyperkalaemia [P2], potassium 6.8 mmol/L [L1].\n", draft.GeneratedText);
        Assert.Equal("pat-1", draft.PatientId);
        Assert.Equal("scripted-model", draft.ModelId);
        Assert.Equal((PromptBuilder.TemplateId, PromptBuilder.TemplateVersion), (draft.TemplateId, draft.TemplateVersion));
        Assert.Equal(64, draft.ContextHash.Length);
        Assert.Contains("\"L1\":\"Observation/k-1/_history/1\"", draft.CitationsJson);
        Assert.NotNull(draft.TimeToFirstTokenMs);
        Assert.NotNull(draft.DurationMs);
        Assert.Equal(["", "## Summary\n", "## Summary\nHyperkalaemia [P2], potassium 6.8 mmol/L [L1].\n"],
            progress.Where(p => p.Status == DraftStatus.Generating).Select(p => p.Text));
        Assert.Equal(DraftStatus.Draft, progress[^1].Status);

        await using var db = _db.CreateDbContext();
        Assert.Equal([AuditActions.DraftStarted, AuditActions.DraftGenerated],
            await db.AuditEvents.OrderBy(a => a.Id).Select(a => a.Action).ToListAsync(Ct));
    }

    [Fact]
    public async Task The_model_is_called_while_the_caller_still_loads_the_stored_row()
    {
        var modelCalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var model = new ScriptedModel(() => { modelCalled.TrySetResult(); return Task.CompletedTask; }, "Potassium 6.8 mmol/L [L1].\n");
        var calledBeforeTheRowWasShown = false;

        var id = await Generator(model).GenerateAsync(DraftingTestData.Context(), "Demo", Clinician, async p =>
        {
            if (p.Text.Length > 0 || p.Status != DraftStatus.Generating || calledBeforeTheRowWasShown) return;
            // The page's first callback (load the row, render it) does not hold up the model call: the call has
            // started by the time it finishes. Called the old way round, the model would wait for this callback.
            await modelCalled.Task.WaitAsync(Patience.Short, Ct);
            calledBeforeTheRowWasShown = true;
        }, Ct);

        Assert.True(calledBeforeTheRowWasShown);
        Assert.Equal(DraftStatus.Draft, (await LoadAsync(id)).Status);
    }

    [Fact]
    public async Task A_caller_that_cannot_take_the_stored_row_abandons_the_model_call()
    {
        var model = new WaitingModel();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => Generator(model).GenerateAsync(DraftingTestData.Context(), "Demo", Clinician,
            _ => throw new InvalidOperationException("the page could not load the row"), Ct));

        Assert.Equal("the page could not load the row", thrown.Message);
        Assert.True(model.Token.IsCancellationRequested, "the model call was left running");
        Assert.True(model.Ended);
        await using var db = _db.CreateDbContext();
        Assert.Equal(DraftStatus.Generating, (await db.Drafts.AsNoTracking().SingleAsync(Ct)).Status);
    }

    [Fact]
    public async Task Unknown_citations_uncited_statements_and_injection_text_become_warnings()
    {
        var model = new ScriptedModel(null, "Invented troponin rise [L99].\n", "The patient is fit for discharge.\n");
        var context = DraftingTestData.Context(DraftingTestData.InjectionNursingNote);

        var id = await Generator(model).GenerateAsync(context, "Demo", Clinician, _ => Task.CompletedTask, Ct);

        var warnings = JsonSerializer.Deserialize<List<DraftWarning>>((await LoadAsync(id)).WarningsJson)!;
        Assert.Contains(warnings, w => w.Kind == "unknown-citation" && w.CitationKey == "L99");
        Assert.Contains(warnings, w => w.Kind == "uncited" && w.Message.Contains("fit for discharge"));
        Assert.Contains(warnings, w => w.Kind == "prompt-injection");
    }

    [Fact]
    public async Task A_model_failure_keeps_the_partial_text_and_says_what_to_do()
    {
        var model = new ScriptedModel(null, "Partial line [L1].\n", new DraftModelException("The AI service is busy. Try again in a minute.", retryable: true));

        var id = await Generator(model).GenerateAsync(DraftingTestData.Context(), "Demo", Clinician, _ => Task.CompletedTask, Ct);

        var draft = await LoadAsync(id);
        Assert.Equal(DraftStatus.Failed, draft.Status);
        Assert.Equal("Partial line [L1].\n", draft.GeneratedText);
        Assert.Equal("The AI service is busy. Try again in a minute.", draft.FailureMessage);
    }

    [Fact]
    public async Task Stopping_keeps_what_was_produced_and_records_Stopped()
    {
        using var cts = new CancellationTokenSource();
        var model = new ScriptedModel(null, "First line [L1].\n", new Func<Task>(async () => { await cts.CancelAsync(); }), "never sent");

        var id = await Generator(model).GenerateAsync(DraftingTestData.Context(), "Demo", Clinician, _ => Task.CompletedTask, cts.Token);

        var draft = await LoadAsync(id);
        Assert.Equal(DraftStatus.Stopped, draft.Status);
        Assert.Equal("First line [L1].\n", draft.GeneratedText);
        await using var db = _db.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(a => a.Action == AuditActions.DraftStopped, Ct));
    }

    [Fact]
    public async Task The_offline_drafter_produces_a_fully_cited_draft_through_the_generator()
    {
        var model = new OfflineDrafter(new PromptInjectionDetector(), TimeSpan.Zero);

        var id = await Generator(model).GenerateAsync(DraftingTestData.Context(), "Demo", Clinician, _ => Task.CompletedTask, Ct);

        var draft = await LoadAsync(id);
        Assert.Equal(DraftStatus.Draft, draft.Status);
        Assert.False(draft.IsAiGenerated);
        Assert.Equal("Offline rule-based draft — no AI model", draft.DrafterName);
        var warnings = JsonSerializer.Deserialize<List<DraftWarning>>(draft.WarningsJson)!;
        Assert.DoesNotContain(warnings, w => w.Kind is "unknown-citation" or "uncited");
    }

    /// <summary>A model whose answer never comes: it waits until its call is cancelled.</summary>
    private sealed class WaitingModel : IDraftModel
    {
        public string DisplayName => "Waiting test model";
        public bool IsAi => true;
        public string ModelId => "waiting-model";
        public CancellationToken Token { get; private set; }
        public bool Ended { get; private set; }

        public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Token = cancellationToken;
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
                yield return "never";
            }
            finally
            {
                Ended = true;
            }
        }
    }

    /// <summary>A model that yields the given items in order: strings are chunks, an exception is thrown,
    /// a Func&lt;Task&gt; is run (e.g. to cancel) before the next item.</summary>
    private sealed class ScriptedModel(Func<Task>? onStart, params object[] script) : IDraftModel
    {
        public string DisplayName => "Scripted test model";
        public bool IsAi => true;
        public string ModelId => "scripted-model";

        public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            if (onStart is not null) await onStart();
            foreach (var item in script)
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (item)
                {
                    case string chunk: yield return chunk; break;
                    case Exception ex: throw ex;
                    case Func<Task> action: await action(); break;
                }
            }
        }
    }
}

using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ClinicalAssist.Tests.Drafting;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Rounds;
using Hl7.Fhir.Model;
using ClinicalAssist.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;
using Task = System.Threading.Tasks.Task;

namespace ClinicalAssist.Tests.Rounds;

/// <summary>The rounds services over a test database, with their runner, as the app wires them.</summary>
internal sealed record Harness(RoundsBatchRunner Runner, RoundsBatches Batches, RoundsSignals Signals, RoundsList List, DraftModelFactory Models, DraftGenerator Generator,
    RoundsBatchWatcher Watcher)
{
    /// <summary>The rounds services from the product's own registrations (<see cref="TestHost"/>) with a fixed drafter.
    /// The model's pauses are short real delays that the tests only bound from below; the records are read at the
    /// fixed <see cref="Now"/> the demo source was generated for.</summary>
    public static Harness Create(TestDatabase database, IPatientRecordSource source, IDraftModel model, int concurrency = 4, ILogger<RoundsBatchRunner>? logger = null) =>
        Create(TestHost.Create(database, model, source, settings: Settings(concurrency), configure: services => Configure(services, source, logger)));

    /// <summary>As the app drafts: the active model configuration (a FoundryOpenAI deployment answered in process by
    /// <paramref name="endpoint"/>) through the product's model pipeline — its one retry layer and the deployment's
    /// rate-limit pace.</summary>
    public static async Task<Harness> CreateAsync(TestDatabase database, IPatientRecordSource source, InProcessModelEndpoint endpoint, int maxRetries,
        int concurrency = 4, ILogger<RoundsBatchRunner>? logger = null)
    {
        var models = TestModels.Factory(_ => endpoint);
        var harness = Create(TestHost.Create(database, source: source, settings: Settings(concurrency), configure: services =>
        {
            Configure(services, source, logger);
            services.Replace(ServiceDescriptor.Singleton(models));
        }));
        await using var db = database.CreateDbContext();
        var configuration = new ModelConfiguration
        {
            Name = "Foundry (in-process fake)", Provider = ModelProvider.FoundryOpenAI, Endpoint = "https://rounds-model.invalid/openai/v1/",
            Deployment = "fake-batch", AuthMode = ModelAuthMode.ApiKey, ApiKeyConfigurationKey = "Rounds:TestModelKey",
            TokenBudget = 8000, TimeoutSeconds = 5, MaxRetries = maxRetries, IsActive = true,
        };
        db.ModelConfigurations.Add(configuration);
        await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        return harness;
    }

    private static Dictionary<string, string?> Settings(int concurrency) => new()
    {
        ["Rounds:MaxConcurrency"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Rounds:TestModelKey"] = "test-key-not-a-secret",
    };

    private static void Configure(IServiceCollection services, IPatientRecordSource source, ILogger<RoundsBatchRunner>? logger)
    {
        services.AddScoped(_ => new PatientContextBuilder(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance));
        if (logger is not null) services.AddSingleton(logger);
    }

    private static Harness Create(TestHost host) =>
        new(host.Get<RoundsBatchRunner>(), host.Get<RoundsBatches>(), host.Get<RoundsSignals>(), host.Get<RoundsList>(), host.Get<DraftModelFactory>(), host.Get<DraftGenerator>(),
            host.Get<RoundsBatchWatcher>());

    /// <summary>The rate-limit pace of the active model configuration's deployment (none for a fixed drafter).</summary>
    public async Task<ModelRateLimitPace?> ActivePaceAsync() =>
        (await Generator.ActiveAsync(Xunit.TestContext.Current.CancellationToken)).Model is ChatClientDraftModel model ? model.Pace : null;
}

/// <summary>Keeps what was logged (with exceptions) to explain a failing assertion.</summary>
internal sealed class CollectingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<string> _lines = new();
    public string Text => string.Join("\n", _lines);
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _lines.Enqueue($"{logLevel}: {formatter(state, exception)} {exception}");
}

internal static class RoundsFakes
{
    /// <summary>A drafter that answers after <see cref="Delay"/>, counts calls in flight, can fail one patient once
    /// (as the model pipeline reports a call it gave up on), block every call after the first N until cancelled, or
    /// fail the product once right after an answer (<see cref="BreakAfterFirstAnswer"/>).</summary>
    internal sealed class FakeModel : IDraftModel
    {
        private int _inFlight, _maxInFlight, _calls, _started, _blocked, _broken;
        private readonly HashSet<string> _failed = [];
        public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(10);
        public string? FailPatientOnce { get; init; }
        public int BlockAfter { get; init; } = int.MaxValue;

        /// <summary>The first read of <see cref="DisplayName"/> after an answer throws (the product records the
        /// drafter's name once more after storing the draft): an unexpected error after the model was called.</summary>
        public bool BreakAfterFirstAnswer { get; init; }
        public int Calls => _calls;
        public int MaxInFlight => _maxInFlight;
        public int Blocked => Volatile.Read(ref _blocked);
        public string DisplayName => BreakAfterFirstAnswer && Volatile.Read(ref _calls) > 0 && Interlocked.Exchange(ref _broken, 1) == 0
            ? throw new InvalidOperationException("Unexpected failure after the answer.")
            : "Fake batch model";
        public bool IsAi => true;
        public string ModelId => "fake-batch";

        public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            lock (_failed)
            {
                if (request.Context.Patient.Id == FailPatientOnce && _failed.Add(FailPatientOnce))
                {
                    throw new DraftModelException("The AI service is busy (HTTP 503). Try again.", retryable: true, status: 503);
                }
            }
            var inFlight = Interlocked.Increment(ref _inFlight);
            try
            {
                int max;
                while (inFlight > (max = _maxInFlight) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, max) != max) { }
                if (Interlocked.Increment(ref _started) > BlockAfter)
                {
                    Interlocked.Increment(ref _blocked);
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                await Task.Delay(Delay, cancellationToken);
                yield return "## Summary\nAdmitted and reviewed on the ward round [P1].\n";
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
    }

    /// <summary>The demo source with resources added to a patient's record (a changed record).</summary>
    internal sealed class MutableSource(IPatientRecordSource inner) : IPatientRecordSource
    {
        private readonly Dictionary<string, List<Resource>> _extra = new(StringComparer.Ordinal);
        public string Name => inner.Name;
        public void Add(string patientId, Resource resource)
        {
            lock (_extra)
            {
                if (!_extra.TryGetValue(patientId, out var list)) _extra[patientId] = list = [];
                list.Add(resource);
            }
        }
        public Task<IReadOnlyList<PatientSummary>> SearchPatientsAsync(string? query, CancellationToken cancellationToken) => inner.SearchPatientsAsync(query, cancellationToken);
        public async Task<PatientRecord?> GetRecordAsync(string patientId, CancellationToken cancellationToken)
        {
            var record = await inner.GetRecordAsync(patientId, cancellationToken);
            if (record is null) return null;
            lock (_extra)
            {
                return _extra.TryGetValue(patientId, out var extra) ? record with { Resources = [.. record.Resources, .. extra] } : record;
            }
        }
    }
}

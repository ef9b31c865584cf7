using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Rounds;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;
using Task = System.Threading.Tasks.Task;

namespace ClinicalAssist.Tests.Rounds;

/// <summary>The rounds services over a test database, with their runner, as the app wires them.</summary>
internal sealed record Harness(RoundsBatchRunner Runner, RoundsBatches Batches, RoundsSignals Signals, RateLimitGate Gate, RoundsList List)
{
    /// <summary>The rounds services from the product's own registrations (<see cref="TestHost"/>). The model's pauses
    /// and Retry-After waits are short real delays (tens to hundreds of ms) that the tests only bound from below; the
    /// records are read at the fixed <see cref="Now"/> the demo source was generated for.</summary>
    public static Harness Create(TestDatabase database, IPatientRecordSource source, IDraftModel model, int concurrency = 4, ILogger<RoundsBatchRunner>? logger = null)
    {
        var host = TestHost.Create(database, model, source, settings: new Dictionary<string, string?>
        {
            ["Rounds:MaxConcurrency"] = concurrency.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Rounds:BackoffSeconds"] = "0.05",
            ["Rounds:MaxBackoffSeconds"] = "1",
        }, configure: services =>
        {
            services.AddScoped(_ => new PatientContextBuilder(source, new FakeTimeProvider(Now), NullLogger<PatientContextBuilder>.Instance));
            if (logger is not null) services.AddSingleton(logger);
        });
        return new Harness(host.Get<RoundsBatchRunner>(), host.Get<RoundsBatches>(), host.Get<RoundsSignals>(), host.Get<RateLimitGate>(), host.Get<RoundsList>());
    }
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
    /// <summary>A model that answers after <see cref="Delay"/>, counts calls in flight, can rate-limit its first calls,
    /// fail one patient once, or block every call after the first N until cancelled.</summary>
    internal sealed class FakeModel : IDraftModel
    {
        private int _inFlight, _maxInFlight, _calls, _started, _blocked, _rateLimited;
        private readonly HashSet<string> _failed = [];
        public TimeSpan Delay { get; init; } = TimeSpan.FromMilliseconds(10);
        public int RateLimitFirst { get; init; }
        public TimeSpan? RetryAfter { get; init; }
        public string? FailPatientOnce { get; init; }
        public int BlockAfter { get; init; } = int.MaxValue;
        public int Calls => _calls;
        public int MaxInFlight => _maxInFlight;
        public int Blocked => Volatile.Read(ref _blocked);
        public DateTimeOffset FirstRateLimitAt { get; private set; }
        public DateTimeOffset FirstSuccessAt { get; private set; }
        public string DisplayName => "Fake batch model";
        public bool IsAi => true;
        public string ModelId => "fake-batch";

        public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            if (Interlocked.Increment(ref _rateLimited) <= RateLimitFirst)
            {
                lock (_failed) if (FirstRateLimitAt == default) FirstRateLimitAt = DateTimeOffset.UtcNow;
                throw new DraftModelException("The AI service is busy (rate limit reached).", retryable: true, status: 429) { RetryAfter = RetryAfter };
            }
            lock (_failed)
            {
                if (FirstSuccessAt == default) FirstSuccessAt = DateTimeOffset.UtcNow;
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

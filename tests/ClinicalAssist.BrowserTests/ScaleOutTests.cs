using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// Two app instances on one database behind nginx with sticky sessions, a browser context on each: a rounds batch is
/// shared between them with every patient drafted once, a cancel pressed on one instance stops the other's patients
/// within the watcher's lag, and an instance killed mid-batch and mid-stream is taken over by the other after its
/// leases run out, while its restart leaves the live instance's drafts alone. Figures in artifacts/scale-out/.
/// </summary>
public sealed class ScaleOutTests : BrowserTestBase
{
    private const int WatchSeconds = 2; // the product's default (Rounds:WatchSeconds)
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(3);
    private NginxProxy? _proxy;
    private string _route = "0";

    // The offline drafter streams slowly (a draft takes seconds), so both instances have patients in flight; each
    // instance looks for new batches every second (another instance's "Prepare drafts" is not signalled in-process).
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Model__OfflineChunkDelayMilliseconds"] = "150",
        ["Rounds__MaxConcurrency"] = "2",
        ["Rounds__PrepareAhead"] = "0",
        ["Rounds__PollSeconds"] = "1",
        ["WorkLeases__Duration"] = "00:00:03",
    };

    protected override Uri BaseAddress => _proxy?.BaseAddress ?? App.BaseAddress;

    protected override Task PrepareContextAsync(IBrowserContext context) =>
        context.AddCookiesAsync([new Cookie { Name = NginxProxy.AffinityCookie, Value = _route, Domain = "127.0.0.1", Path = "/" }]);

    [Fact]
    public async Task A_batch_runs_on_both_instances_once_per_patient_and_a_cancel_on_one_stops_the_other()
    {
        var ct = TestContext.Current.CancellationToken;
        var a = App;
        await using var b = await StartAppAsync();
        await using var proxy = _proxy = await NginxProxy.StartAsync([a.BaseAddress, b.BaseAddress], ct);
        _route = "0";
        var onA = await SignInAsync("clinician@demo.local", 1024, 768);
        _route = "1";
        var onB = await SignInAsync("clinician@demo.local", 1024, 768);

        await onA.GotoAsync(Url("rounds"));
        await onA.WaitForInteractiveAsync();
        await Expect(onA.GetByTestId("rounds-row")).ToHaveCountAsync(12);
        await onB.GotoAsync(Url("rounds"));
        await onB.WaitForInteractiveAsync();
        await onA.GetByTestId("prepare-drafts").ClickAsync();

        // Both instances hold patients of the batch; the page on B shows the batch A started.
        var owners = await WaitForAsync(async () =>
        {
            var held = await LeaseOwnersAsync("rounds-item");
            return held.Select(o => PidOf(o.Value)).Distinct().Count() == 2 ? held : null;
        }, "both instances working on the batch");
        await Expect(onB.GetByTestId("cancel-batch")).ToBeVisibleAsync(new() { Timeout = Patience.Ms(Patience.Medium) });
        var itemsOnA = owners.Where(o => PidOf(o.Value) == a.ProcessId).Select(o => o.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.NotEmpty(itemsOnA);

        // Cancel on B: A's patients stop at A's next look at the database.
        var clock = Stopwatch.StartNew();
        await onB.GetByTestId("cancel-batch").ClickAsync();
        await WaitForAsync(async () => await ScalarAsync("SELECT COUNT(*) FROM RoundsBatchItems WHERE Status = 'Running'") == 0 ? "" : null,
            "no patient running after the cancel");
        var lag = clock.Elapsed;
        var stoppedOnA = await ItemsAsync("SELECT Id, Status, Message FROM RoundsBatchItems");
        foreach (var id in itemsOnA)
        {
            var (status, message) = stoppedOnA[id];
            // Stopped by the cancel, unless it had finished just before it.
            Assert.True(status == "Cancelled" && message == "Stopped by the cancel. The text produced so far is kept." || status == "Ready",
                $"A's patient {id}: {status} {message}");
        }
        Assert.Contains(itemsOnA, id => stoppedOnA[id].Status == "Cancelled");
        Assert.True(lag < TimeSpan.FromSeconds(WatchSeconds) + Patience.Short, $"cancel lag {lag.TotalSeconds:0.0} s");

        // Prepare again on A: every patient ends with exactly one usable draft, drafted by either instance.
        var before = await ScalarAsync("SELECT COUNT(*) FROM RoundsBatches");
        await onA.GotoAsync(Url("rounds"));
        await onA.WaitForInteractiveAsync();
        await onA.GetByTestId("prepare-drafts").ClickAsync();
        await WaitForAsync(async () => await ScalarAsync("SELECT COUNT(*) FROM RoundsBatches") > before ? "" : null, "a second batch");
        var seen = new HashSet<int>();
        await WaitForAsync(async () =>
        {
            foreach (var owner in (await LeaseOwnersAsync("rounds-item")).Values) seen.Add(PidOf(owner));
            return await ScalarAsync("SELECT COUNT(*) FROM RoundsBatches WHERE Status = 'Running'") == 0 ? "" : null;
        }, "the second batch finished", Patience.Long);
        await Expect(onB.GetByTestId("batch-progress")).ToContainTextAsync("— finished", new() { Timeout = Patience.Ms(Patience.Medium) });
        var usable = await ItemsAsync("SELECT PatientId, COUNT(*), '' FROM Drafts WHERE Status = 'Draft' GROUP BY PatientId");
        Assert.Equal(12, usable.Count);
        Assert.All(usable.Values, v => Assert.Equal("1", v.Status));
        Assert.Equal(0, await ScalarAsync("SELECT COUNT(*) FROM RoundsBatchItems WHERE Status NOT IN ('Ready', 'Unchanged', 'Cancelled')"));

        Record("cancel-lag.txt", $"cancel pressed on instance B, A's patients stopped after {lag.TotalSeconds:0.00} s " +
            $"(Rounds:WatchSeconds = {WatchSeconds}); instances seen working on the second batch: {seen.Count}");
    }

    [Fact]
    public async Task An_instance_killed_mid_batch_and_mid_stream_is_taken_over_and_its_restart_leaves_live_drafts_alone()
    {
        var ct = TestContext.Current.CancellationToken;
        var a = App;
        await using var b = await StartAppAsync();
        await using var proxy = _proxy = await NginxProxy.StartAsync([a.BaseAddress, b.BaseAddress], ct);
        _route = "0";
        var onA = await SignInAsync("clinician@demo.local", 1024, 768);
        await onA.GotoAsync(Url("rounds"));
        await onA.WaitForInteractiveAsync();
        await Expect(onA.GetByTestId("rounds-row")).ToHaveCountAsync(12);
        await onA.GetByTestId("prepare-drafts").ClickAsync();

        // Kill A while it streams a draft whose text is stored, and B has patients of its own in flight.
        var streamingOnA = await WaitForAsync(async () =>
        {
            var drafts = (await LeaseOwnersAsync("draft")).Where(o => PidOf(o.Value) == a.ProcessId).Select(o => o.Key).ToList();
            var withText = await ItemsAsync("SELECT Id, Status, length(GeneratedText) FROM Drafts WHERE Status = 'Generating' AND length(GeneratedText) > 0");
            var busyB = (await LeaseOwnersAsync("draft")).Values.Any(o => PidOf(o) == b.ProcessId);
            var mine = drafts.Where(withText.ContainsKey).ToList();
            return mine.Count > 0 && busyB ? mine : null;
        }, "A streaming a stored draft while B drafts");
        await a.KillAsync();
        var killed = Stopwatch.StartNew();
        await onA.Context.CloseAsync();

        // A comes straight back (before its leases ran out): B's live drafts must not be touched by its start-up.
        var liveOnB = (await LeaseOwnersAsync("draft")).Where(o => PidOf(o.Value) == b.ProcessId).Select(o => o.Key).ToList();
        App = await StartAppAsync();
        await WaitForAsync(async () => (await ItemsAsync("SELECT Id, Status, '' FROM Drafts")).Where(d => liveOnB.Contains(d.Key, StringComparer.OrdinalIgnoreCase))
            .All(d => d.Value.Status != "Generating") ? "" : null, "B's drafts finished", Patience.Long);
        var afterRestart = await ItemsAsync("SELECT Id, Status, '' FROM Drafts");
        Assert.All(liveOnB, id => Assert.Equal("Draft", afterRestart[id].Status));

        // A's streaming draft ends Interrupted with its text, taken over once its lease ran out.
        await WaitForAsync(async () => (await ItemsAsync("SELECT Id, Status, '' FROM Drafts")).Where(d => streamingOnA.Contains(d.Key, StringComparer.OrdinalIgnoreCase))
            .All(d => d.Value.Status == "Interrupted") ? "" : null, "A's draft Interrupted", Patience.Long);
        var interruptedAfter = killed.Elapsed;
        var kept = await ItemsAsync("SELECT Id, Status, length(GeneratedText) FROM Drafts WHERE Status = 'Interrupted'");
        Assert.All(streamingOnA, id => Assert.True(int.Parse(kept[id].Message, CultureInfo.InvariantCulture) > 0, "the interrupted draft kept its text"));

        // The batch finishes: every patient exactly one usable draft, nothing left running.
        await WaitForAsync(async () => await ScalarAsync("SELECT COUNT(*) FROM RoundsBatches WHERE Status = 'Running'") == 0 ? "" : null,
            "the batch finished", Patience.Long);
        var finishedAfter = killed.Elapsed;
        var usable = await ItemsAsync("SELECT PatientId, COUNT(*), '' FROM Drafts WHERE Status = 'Draft' GROUP BY PatientId");
        Assert.Equal(12, usable.Count);
        Assert.All(usable.Values, v => Assert.Equal("1", v.Status));
        Assert.Equal(12, await ScalarAsync("SELECT COUNT(*) FROM RoundsBatchItems WHERE Status IN ('Ready', 'Unchanged')"));
        Assert.True(interruptedAfter >= Lease, $"taken over {interruptedAfter.TotalSeconds:0.0} s after the kill, before the lease ({Lease.TotalSeconds} s) ran out");

        Record("kill-takeover.txt", $"lease {Lease.TotalSeconds:0} s: A's streaming draft Interrupted {interruptedAfter.TotalSeconds:0.0} s after kill -9; " +
            $"batch of 12 finished {finishedAfter.TotalSeconds:0.0} s after it; B's {liveOnB.Count} live draft(s) untouched by A's restart; 12 patients, 12 usable drafts");
    }

    private static int PidOf(string owner) => int.Parse(owner.Split('/')[1], CultureInfo.InvariantCulture);

    private static void Record(string file, string line)
    {
        var directory = Path.Combine(RepoPaths.ArtifactsDirectory, "scale-out");
        Directory.CreateDirectory(directory);
        File.AppendAllText(Path.Combine(directory, file), $"{DateTime.UtcNow:u} {line}\n");
    }

    private SqliteConnection Open() =>
        new($"Data Source={Path.Combine(DataDirectory, "e2e.db")};Mode=ReadOnly;Pooling=False");

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Rows of (key, status, message) by key, keys compared without case (GUIDs are stored upper-case).</summary>
    private async Task<Dictionary<string, (string Status, string Message)>> ItemsAsync(string sql)
    {
        await using var connection = Open();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);
        while (await reader.ReadAsync())
        {
            rows[reader.GetValue(0).ToString()!] = (reader.GetValue(1)?.ToString() ?? "", reader.IsDBNull(2) ? "" : reader.GetValue(2).ToString()!);
        }
        return rows;
    }

    /// <summary>Live leases of one kind: work id → owner.</summary>
    private async Task<Dictionary<string, string>> LeaseOwnersAsync(string kind) =>
        (await ItemsAsync($"SELECT WorkId, Owner, '' FROM WorkLeases WHERE Kind = '{kind}'")).ToDictionary(r => r.Key, r => r.Value.Status, StringComparer.OrdinalIgnoreCase);

    /// <summary>Polls the database (read-only) until <paramref name="probe"/> returns a value.</summary>
    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? limit = null) where T : class
    {
        var deadline = DateTime.UtcNow + (limit ?? Patience.Medium);
        while (true)
        {
            if (await probe() is { } found) return found;
            Assert.True(DateTime.UtcNow < deadline, $"not seen within {limit ?? Patience.Medium}: {what}");
            await Task.Delay(50);
        }
    }
}

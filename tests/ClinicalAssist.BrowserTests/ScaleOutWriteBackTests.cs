using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// FHIR write-back with two app processes on one database behind nginx, both with write-back on, against Medplum's
/// FHIR engine on loopback: a summary signed in the browser plus 19 more signed summaries in the database (copies of it
/// for other episodes, so the sign-off of one does not supersede another) are each written exactly once — the server
/// holds 20 Compositions, each with one Provenance, whichever instance sent it.
/// </summary>
public sealed class ScaleOutWriteBackTests : BrowserTestBase
{
    private const string SmallPatient = "Floyd_Connelly_66843218-a9f9-4f16-8347-bdc2a0d14265.json";
    private Uri? _fhir;
    private string _route = "0";

    protected override IReadOnlyDictionary<string, string> Settings => _fhir is null
        ? new Dictionary<string, string>()
        : new Dictionary<string, string>
        {
            ["Fhir__Source"] = "Server",
            ["Fhir__ServerBaseUrl"] = _fhir.ToString(),
            ["Fhir__WriteBack__Enabled"] = "true",
            ["Fhir__WriteBack__PollIntervalMilliseconds"] = "500",
            ["Model__OfflineChunkDelayMilliseconds"] = "0",
            ["WorkLeases__Duration"] = "00:00:03",
        };

    private NginxProxy? _proxy;

    protected override Uri BaseAddress => _proxy?.BaseAddress ?? App.BaseAddress;

    protected override Task PrepareContextAsync(IBrowserContext context) =>
        context.AddCookiesAsync([new Cookie { Name = NginxProxy.AffinityCookie, Value = _route, Domain = "127.0.0.1", Path = "/" }]);

    [Fact]
    public async Task Twenty_summaries_written_back_by_two_instances_reach_the_server_once_each()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var medplum = await MedplumServer.StartAsync(ct);
        using var http = new HttpClient();
        await medplum.LoadTransactionAsync(http, Path.Combine(SyntheaDirectory(), SmallPatient), ct);
        var patientId = (await http.GetFromJsonAsync<JsonElement>(new Uri(medplum.BaseUrl, "Patient?_count=1"), ct))
            .GetProperty("entry")[0].GetProperty("resource").GetProperty("id").GetString()!;

        // The app instances of this test: two, on one database, both writing back to Medplum.
        await App.KillAsync(); // the class's first app ran on the demo source
        _fhir = medplum.BaseUrl;
        App = await StartAppAsync();
        await using var b = await StartAppAsync();
        await using var proxy = _proxy = await NginxProxy.StartAsync([App.BaseAddress, b.BaseAddress], ct);

        // One summary signed in the browser, on instance A.
        var page = await SignInAsync("clinician@demo.local");
        await page.GotoAsync(Url($"patients/{patientId}"));
        await page.WaitForInteractiveAsync();
        await page.GetByTestId("generate-summary").ClickAsync();
        await Expect(page.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Long) });
        await page.GetByLabel("I reviewed this draft against the record").CheckAsync();
        await page.GetByTestId("sign-draft").ClickAsync();
        await Expect(page.GetByTestId("draft-status")).ToHaveTextAsync("Signed");

        // 19 more signed summaries of other episodes, queued for write-back at once (both instances poll the queue).
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "e2e.db")};Pooling=False"))
        {
            await db.OpenAsync(ct);
            var signed = await ScalarTextAsync(db, "SELECT Id FROM Drafts WHERE Status = 'Signed'");
            await using var transaction = (SqliteTransaction)await db.BeginTransactionAsync(ct);
            for (var i = 1; i < 20; i++)
            {
                var draftId = Guid.NewGuid().ToString().ToUpperInvariant();
                await ExecuteAsync(db, transaction, """
                    CREATE TEMP TABLE d AS SELECT * FROM Drafts WHERE Id = $signed;
                    UPDATE d SET Id = $draft, EncounterId = $episode;
                    INSERT INTO Drafts SELECT * FROM d;
                    DROP TABLE d;
                    CREATE TEMP TABLE w AS SELECT * FROM FhirWrites WHERE DraftId = $signed;
                    UPDATE w SET Id = $write, DraftId = $draft, Status = 'Pending', Attempts = 0, NextAttemptAt = CreatedAt,
                        LastAttemptAt = NULL, WrittenAt = NULL, LastError = NULL, DocumentReference = NULL, ProvenanceReference = NULL,
                        DeviceReference = NULL;
                    INSERT INTO FhirWrites SELECT * FROM w;
                    DROP TABLE w;
                    """, ("$signed", signed), ("$draft", draftId), ("$episode", $"episode-{i}"), ("$write", Guid.NewGuid().ToString().ToUpperInvariant()));
            }
            await transaction.CommitAsync(ct);

            var deadline = DateTime.UtcNow + Patience.Long;
            while (await ScalarTextAsync(db, "SELECT COUNT(*) FROM FhirWrites WHERE Status = 'Written'") != "20")
            {
                var states = await ScalarTextAsync(db, "SELECT group_concat(Status || ' ' || Attempts || ' ' || ifnull(LastError, ''), '; ') FROM FhirWrites");
                Assert.True(DateTime.UtcNow < deadline, "not all 20 written: " + states);
                await Task.Delay(200, ct);
            }
        }

        // What the server holds: 20 documents of this deployment, one Provenance each.
        var compositions = await SearchAsync(http, medplum.BaseUrl, "Composition?_count=100", ct);
        var ours = compositions.Where(c => c.GetProperty("identifier").GetProperty("system").GetString() == "urn:ietf:rfc:3986").ToList();
        Assert.Equal(20, ours.Count);
        foreach (var composition in ours)
        {
            var id = composition.GetProperty("id").GetString();
            Assert.Single(await SearchAsync(http, medplum.BaseUrl, $"Provenance?target=Composition/{id}", ct));
        }
        Assert.Equal(20, (await SearchAsync(http, medplum.BaseUrl, "Provenance?_count=100", ct)).Count);

        // Which instance sent what (each logs the writes it made).
        int Sent(AppHost host) => host.Output.Count(l => l.Contains("FHIR write-back of draft", StringComparison.Ordinal) && l.Contains("written after", StringComparison.Ordinal));
        Assert.Equal(20, Sent(App) + Sent(b));
        var directory = Path.Combine(RepoPaths.ArtifactsDirectory, "scale-out");
        Directory.CreateDirectory(directory);
        await File.AppendAllTextAsync(Path.Combine(directory, "write-back.txt"),
            $"{DateTime.UtcNow:u} 20 summaries written back by two instances: A sent {Sent(App)}, B sent {Sent(b)}; Medplum holds 20 Compositions and 20 Provenances\n", ct);
    }

    private static async Task<List<JsonElement>> SearchAsync(HttpClient http, Uri fhir, string query, CancellationToken ct)
    {
        var bundle = await http.GetFromJsonAsync<JsonElement>(new Uri(fhir, query), ct);
        return bundle.TryGetProperty("entry", out var entries) ? [.. entries.EnumerateArray().Select(e => e.GetProperty("resource"))] : [];
    }

    private static async Task<string> ScalarTextAsync(SqliteConnection db, string sql)
    {
        await using var command = db.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture) ?? "";
    }

    private static async Task ExecuteAsync(SqliteConnection db, SqliteTransaction transaction, string sql, params (string Name, string Value)[] parameters)
    {
        await using var command = db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    private static string SyntheaDirectory()
    {
        for (var dir = new DirectoryInfo(RepoPaths.Root); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "fhir-samples", "synthea-r4");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("shared/fhir-samples/synthea-r4 was not found beside the repository.");
    }
}

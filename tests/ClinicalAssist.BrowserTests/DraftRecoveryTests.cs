using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>An app killed while a draft streams comes back with that draft Interrupted (its text kept), and a new
/// one can be generated.</summary>
public sealed class DraftRecoveryTests : BrowserTestBase
{
    private bool _restarted;

    // The first app's offline drafter streams slowly so it can be killed mid-draft. Leases of 3 s: the killed app's
    // claim on its streaming draft runs out soon after the kill, and the restarted app takes the draft over.
    protected override IReadOnlyDictionary<string, string> Settings => _restarted
        ? new Dictionary<string, string> { ["WorkLeases__Duration"] = "00:00:03" }
        : new Dictionary<string, string> { ["Model__OfflineChunkDelayMilliseconds"] = "150", ["WorkLeases__Duration"] = "00:00:03" };

    [Fact]
    public async Task App_killed_while_a_draft_streams_comes_back_with_the_draft_Interrupted_and_its_text_kept()
    {
        var clinician = await SignInAsync("clinician@demo.local");
        var patient = await OpenPatientAsync(clinician, 4);
        await clinician.GetByTestId("generate-summary").ClickAsync();
        await Expect(clinician.GetByTestId("draft-status")).ToHaveTextAsync("Generating");
        await Expect(clinician.GetByTestId("draft-text")).ToContainTextAsync("Active problems", new() { Timeout = Patience.Ms(Patience.Medium) });
        await WaitForPersistedTextAsync(); // the kill must come after the app stored an increment of the streamed text
        await App.KillAsync();
        await clinician.Context.CloseAsync();

        _restarted = true; // the new app drafts at the usual pace
        App = await StartAppAsync();
        await WaitForDraftsAsync("SELECT COUNT(*) FROM Drafts WHERE Status = 'Interrupted'", "the restarted app did not take the killed app's draft over");
        var again = await SignInAsync("clinician@demo.local");
        await OpenPatientAsync(again, 4);
        await Expect(again.GetByTestId("patient-name")).ToHaveTextAsync(patient);
        await Expect(again.GetByTestId("draft-status")).ToHaveTextAsync("Interrupted");
        await Expect(again.GetByTestId("draft-message")).ToContainTextAsync("the application instance drafting it stopped");
        await Expect(again.GetByTestId("draft-text")).ToContainTextAsync("Summary");

        // Regenerate: a new draft completes.
        await again.GetByTestId("generate-summary").ClickAsync();
        await Expect(again.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Long) });
    }


    /// <summary>Waits (on the app's own database, read-only) until the generating draft has streamed text stored.</summary>
    private Task WaitForPersistedTextAsync() =>
        WaitForDraftsAsync("SELECT COUNT(*) FROM Drafts WHERE length(GeneratedText) > 0", "no streamed text was stored");

    /// <summary>Waits (on the app's own database, read-only) until the query counts at least one draft.</summary>
    private async Task WaitForDraftsAsync(string countQuery, string failure)
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow + Patience.Medium;
        var connectionString = $"Data Source={Path.Combine(DataDirectory, "e2e.db")};Mode=ReadOnly;Pooling=False";
        while (true)
        {
            await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString))
            {
                await connection.OpenAsync(ct);
                await using var command = connection.CreateCommand();
                command.CommandText = countQuery;
                if (Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) > 0) return;
            }
            Assert.True(DateTime.UtcNow < deadline, failure + " within " + Patience.Medium);
            await Task.Delay(100, ct);
        }
    }
}

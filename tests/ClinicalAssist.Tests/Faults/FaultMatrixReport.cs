using System.Collections.Concurrent;
using System.Text;

namespace ClinicalAssist.Tests.Faults;

/// <summary>One cell of the fault matrix: the three properties are checked one by one (each failure recorded, not
/// thrown), the row is written to the report, and only then does the test fail if any property failed.</summary>
internal sealed class FaultCell(string area, string fault)
{
    private readonly List<string> _errors = [];
    private (bool Ok, string What)? _message, _state, _kept;

    public string Area => area;
    public string Fault => fault;

    /// <summary>(a) The user sees a clear message: <paramref name="shown"/> is what the rendered component showed.</summary>
    public void Message(Func<string> shown, Action assert) => _message = Run("message", shown, assert);

    /// <summary>(b) The draft / sign-off / decision state persisted in the database is as expected.</summary>
    public void State(string what, Action assert) => _state = Run("state", () => what, assert);

    /// <summary>(c) Nothing already done is lost.</summary>
    public void Kept(string what, Action assert) => _kept = Run("kept", () => what, assert);

    private (bool, string) Run(string property, Func<string> describe, Action assert)
    {
        string what;
        try
        {
            what = describe();
        }
        catch (Exception ex)
        {
            what = "(not shown: " + ex.GetType().Name + ")";
        }
        try
        {
            assert();
            return (true, what);
        }
        catch (Exception ex)
        {
            _errors.Add($"{property}: {ex.Message}");
            return (false, what);
        }
    }

    /// <summary>Records the row (a setup failure counts as a failed cell) and fails the test if any property failed.</summary>
    public void Complete(Exception? setupFailure = null)
    {
        if (setupFailure is not null) _errors.Add("setup: " + setupFailure.GetType().Name + ": " + setupFailure.Message);
        FaultMatrixReport.Record(this, _message, _state, _kept);
        Assert.True(_errors.Count == 0, $"{area} × {fault}:\n" + string.Join("\n", _errors));
    }

    /// <summary>Runs a cell's body and completes it, whatever happened.</summary>
    public static async Task RunAsync(string area, string fault, Func<FaultCell, Task> body)
    {
        var cell = new FaultCell(area, fault);
        Exception? setup = null;
        try
        {
            await body(cell);
        }
        catch (Exception ex)
        {
            setup = ex;
        }
        cell.Complete(setup);
    }
}

/// <summary>Writes artifacts/reliability/fault-matrix.md after every cell: one row per cell of the matrix in a
/// fixed order, "not run" for cells a filtered run skipped.</summary>
internal static class FaultMatrixReport
{
    private sealed record Row(string Area, string Fault, (bool Ok, string What)? Message, (bool Ok, string What)? State, (bool Ok, string What)? Kept)
    {
        public bool Passed => Message?.Ok == true && State?.Ok == true && Kept?.Ok == true;
    }

    private static readonly ConcurrentDictionary<(string, string), Row> Rows = new();
    private static readonly Lock Gate = new();

    public static readonly IReadOnlyList<(string Area, string Fault)> Cells =
    [
        .. ModelFaultCells.Faults.Select(f => (ModelFaultCells.AzureArea, f)),
        .. ModelFaultCells.Faults.Select(f => (ModelFaultCells.FoundryArea, f)),
        .. FhirFaultCells.Faults.Select(f => ("FHIR server", f)),
        .. DatabaseFaultCells.Faults.Select(f => ("Database", f)),
    ];

    public static void Record(FaultCell cell, (bool, string)? message, (bool, string)? state, (bool, string)? kept)
    {
        Rows[(cell.Area, cell.Fault)] = new Row(cell.Area, cell.Fault, message, state, kept);
        lock (Gate) Write();
    }

    private static void Write()
    {
        var run = Cells.Select(c => Rows.TryGetValue(c, out var r) ? r : null).ToList();
        var passed = run.Count(r => r?.Passed == true);
        var text = new StringBuilder()
            .AppendLine("# Fault matrix")
            .AppendLine()
            .AppendLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"**{passed} / {Cells.Count} cells passed** ({run.Count(r => r is null)} not run) · {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC · ") +
                "`dotnet test tests/ClinicalAssist.Tests --filter \"FullyQualifiedName~ClinicalAssist.Tests.Faults\"`")
            .AppendLine()
            .AppendLine("| Cell | (a) Message the user sees | (b) State persisted | (c) Nothing lost | Result |")
            .AppendLine("|---|---|---|---|---|");
        for (var i = 0; i < Cells.Count; i++)
        {
            var (area, fault) = Cells[i];
            var r = run[i];
            text.AppendLine(r is null
                ? $"| {area} × {fault} | — | — | — | not run |"
                : $"| {area} × {fault} | {Cell(r.Message)} | {Cell(r.State)} | {Cell(r.Kept)} | {(r.Passed ? "pass" : "**FAIL**")} |");
        }
        var dir = Path.Combine(RepoRoot(), "artifacts", "reliability");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "fault-matrix.md"), text.ToString());
    }

    private static string Cell((bool Ok, string What)? property) => property is not { } p
        ? "**FAIL** (not reached)"
        : (p.Ok ? "✔ " : "**FAIL** ") + Escape(p.What);

    private static string Escape(string text)
    {
        var oneLine = System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ").Replace("|", "\\|", StringComparison.Ordinal).Trim();
        return oneLine.Length > 220 ? oneLine[..217] + "…" : oneLine;
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClinicalAssist.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("ClinicalAssist.sln not found above " + AppContext.BaseDirectory);
    }
}

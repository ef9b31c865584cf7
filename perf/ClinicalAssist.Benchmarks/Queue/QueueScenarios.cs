using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Review;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Benchmarks.Queue;

/// <summary>One page query to time. A deep page starts after the row 90% of the way through its view.</summary>
public sealed record QueueScenario(string Name, ReviewQueueFilter Filter, bool DeepPage);

/// <summary>A scenario with its real cursor, found once outside the timing.</summary>
public sealed record PreparedScenario(QueueScenario Scenario, int ViewRows, int? CursorRow, QueueCursor? Cursor);

public static class QueueScenarios
{
    public const double DeepFraction = 0.9;

    public static IReadOnlyList<QueueScenario> For(SyntheticDraftSource source)
    {
        var awaiting = new ReviewQueueFilter();
        var allSignedNewest = new ReviewQueueFilter { View = QueueView.AllSigned, Sort = QueueSort.NewestFirst };
        // One clinician's drafts with warnings, signed in a 90-day window that ended a month ago.
        Func<ReviewQueueFilter, ReviewQueueFilter> narrow = f => f with
        {
            ClinicianId = source.Clinicians[7].Id,
            HasWarnings = true,
            SignedFrom = source.End.AddDays(-120),
            SignedTo = source.End.AddDays(-30),
        };
        var modelAndTemplate = awaiting with { ModelId = "gpt-4o-mini", TemplateVersion = 2 };

        return
        [
            new("Awaiting, oldest first: first page", awaiting, DeepPage: false),
            new("Awaiting, oldest first: deep page", awaiting, DeepPage: true),
            new("All signed, newest first: first page", allSignedNewest, DeepPage: false),
            new("All signed, newest first: deep page", allSignedNewest, DeepPage: true),
            new("Awaiting + clinician + warnings + 90 days: first page", narrow(awaiting), DeepPage: false),
            new("Awaiting + clinician + warnings + 90 days: deep page", narrow(awaiting), DeepPage: true),
            new("All signed newest + clinician + warnings + 90 days: first page", narrow(allSignedNewest), DeepPage: false),
            new("All signed newest + clinician + warnings + 90 days: deep page", narrow(allSignedNewest), DeepPage: true),
            new("Awaiting + model + template v2: first page", modelAndTemplate, DeepPage: false),
        ];
    }

    /// <summary>Counts the view and, for a deep page, takes the cursor from the row at 90% with the same ordered
    /// query and OFFSET (which the page query itself never uses).</summary>
    public static async Task<PreparedScenario> PrepareAsync(QueueScenario scenario, IDbContextFactory<AppDbContext> dbFactory,
        CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var viewRows = await ReviewQueueQuery.BuildQuery(db, scenario.Filter, after: null).CountAsync(ct);
        if (!scenario.DeepPage || viewRows == 0)
        {
            return new PreparedScenario(scenario, viewRows, CursorRow: null, Cursor: null);
        }

        var cursorRow = (int)(viewRows * DeepFraction);
        var row = await ReviewQueueQuery.BuildQuery(db, scenario.Filter, after: null)
            .Skip(cursorRow)
            .Select(d => new { d.Id, SignedAt = d.ClinicianDecisionAt!.Value })
            .FirstAsync(ct);
        return new PreparedScenario(scenario, viewRows, cursorRow, new QueueCursor(row.SignedAt, row.Id));
    }
}

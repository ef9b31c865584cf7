using Microsoft.AspNetCore.Components;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>
/// One audit record per page view. A page loaded directly (or refreshed) runs twice: prerendered into the HTTP
/// response, then again when its circuit starts. The prerender, which already shows the record, writes the view and
/// leaves a mark in the persisted component state; the interactive run restores the mark and writes nothing. A page
/// reached by navigation inside the circuit is not prerendered and writes its view itself; a page fetched without a
/// circuit (server-rendered only) has its prerender's record.
/// </summary>
public static class ViewAudit
{
    /// <summary>The key of the mark for one view (an audit action and what was viewed).</summary>
    public static string StateKey(string action, string subject) => $"clinicalassist:view-audited:{action}:{subject}";

    /// <param name="state">The page's persisted component state (null where there is none: the view is written).</param>
    /// <param name="renderer">The page's <c>RendererInfo</c>.</param>
    /// <param name="write">Writes the view's audit record(s).</param>
    public static async Task WriteOnceAsync(PersistentComponentState? state, RendererInfo renderer, string action, string subject, Func<Task> write)
    {
        ArgumentNullException.ThrowIfNull(renderer);
        ArgumentNullException.ThrowIfNull(write);
        var key = StateKey(action, subject);
        if (renderer.IsInteractive)
        {
            if (state is not null && state.TryTakeFromJson<bool>(key, out var written) && written) return;
            await write();
            return;
        }

        await write();
        if (state is null) return;
        PersistingComponentStateSubscription subscription = default;
        subscription = state.RegisterOnPersisting(() =>
        {
            state.PersistAsJson(key, true);
            subscription.Dispose();
            return Task.CompletedTask;
        });
    }
}

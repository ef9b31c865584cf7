using System.Collections.Concurrent;
using System.Globalization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>
/// Speculative paging of one search. Most servers build their <c>next</c> links from one template with a page number
/// or an offset (<c>page=2</c>, <c>_getpagesoffset=500</c>, <c>_offset=500</c>); when the first page's link has exactly
/// one such number and the page gives <c>Bundle.total</c>, the links of the later pages are predicted and fetched in
/// parallel. A prefetched page is only ever used when the link the server actually sent (the previous page's
/// <c>next</c>) is, character for character, the link it was fetched with — so the result is exactly what following
/// the links one by one would give, and a wrong guess costs a few wasted requests, never data. Opaque links
/// (continuation tokens) are not predicted.
/// </summary>
internal sealed class NextPagePrefetch : IAsyncDisposable
{
    private readonly Dictionary<string, TaskCompletionSource<Bundle?>> _pages = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Link, TaskCompletionSource<Bundle?> Page)> _queue = new();
    private readonly List<System.Threading.Tasks.Task> _workers = [];
    private readonly Func<FhirClient> _createClient;
    private readonly SemaphoreSlim _slots;
    private readonly bool _ownsSlots;
    private readonly int _maxWorkers;
    private readonly CancellationTokenSource _stop;
    private readonly CancellationTokenSource _drained;

    /// <param name="links">The predicted links, in page order (the first is the real next link).</param>
    /// <param name="slots">The concurrency gate shared with the other searches; the caller holds one slot, which the
    /// first worker uses (the caller waits for pages instead of fetching). Further workers start as slots come free
    /// (first come, first served with the searches still waiting). Null = a private gate of
    /// <paramref name="maxWorkers"/> − 1.</param>
    public NextPagePrefetch(IReadOnlyList<string> links, Func<FhirClient> createClient, SemaphoreSlim? slots, int maxWorkers, CancellationToken cancellationToken)
    {
        _createClient = createClient;
        _maxWorkers = Math.Max(1, maxWorkers);
        _ownsSlots = slots is null;
        _slots = slots ?? new SemaphoreSlim(_maxWorkers - 1, Math.Max(1, _maxWorkers - 1));
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _drained = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        foreach (var link in links)
        {
            var page = new TaskCompletionSource<Bundle?>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_pages.TryAdd(link, page))
            {
                _queue.Enqueue((link, page));
            }
        }

        lock (_workers)
        {
            _workers.Add(WorkAsync(ownSlot: false));
            for (var i = 1; i < Math.Min(_maxWorkers, _queue.Count); i++)
            {
                _workers.Add(ExtraWorkerAsync());
            }
        }
    }

    /// <summary>The page fetched with exactly <paramref name="link"/>, or null when that link was not predicted (the
    /// prediction was wrong: the caller follows the real link itself and should dispose this prefetch).</summary>
    public Task<Bundle?>? TryGet(string link) => _pages.TryGetValue(link, out var page) ? page.Task : null;

    /// <summary>The links of the pages after <paramref name="first"/>, predicted from its next link, or null when
    /// they cannot be: no next link or no total, fewer than 3 matches on the page, or not exactly one number in the
    /// link's query that can be a page number (1 or 2) or an offset (the number of matches on the page).
    /// <c>_count</c> is never taken for the page parameter.</summary>
    public static IReadOnlyList<string>? PredictLinks(Bundle first, int matchesOnFirstPage, int maxPages)
    {
        if (first.NextLink?.OriginalString is not { } next || first.Total is not { } total || matchesOnFirstPage < 3 || maxPages < 2)
        {
            return null;
        }

        var question = next.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return null;
        }

        var segments = next[(question + 1)..].Split('&');
        var found = -1;
        var start = 0;
        var step = 0;
        for (var i = 0; i < segments.Length; i++)
        {
            var equals = segments[i].IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || segments[i][..equals] is "_count" or "count"
                || !int.TryParse(segments[i].AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            if (value == matchesOnFirstPage || value is 1 or 2)
            {
                if (found >= 0)
                {
                    return null; // two candidates: which one pages is a guess
                }

                found = i;
                start = value;
                step = value == matchesOnFirstPage ? matchesOnFirstPage : 1;
            }
        }

        if (found < 0)
        {
            return null;
        }

        var pages = Math.Min((total + matchesOnFirstPage - 1) / matchesOnFirstPage, maxPages);
        var name = segments[found][..segments[found].IndexOf('=', StringComparison.Ordinal)];
        var prefix = next[..(question + 1)];
        var links = new List<string>(Math.Max(pages - 1, 1)) { next };
        for (var k = 2; k < pages; k++)
        {
            segments[found] = name + "=" + (start + ((k - 1) * step)).ToString(CultureInfo.InvariantCulture);
            links.Add(prefix + string.Join('&', segments));
        }

        return links;
    }

    /// <summary>A worker that starts when a slot of the shared gate comes free (another search finished), and
    /// stops waiting when the pages are all taken or fetching stopped. Worker 0 never waits for a slot, so the
    /// search always progresses, whatever the other searches hold.</summary>
    private async System.Threading.Tasks.Task ExtraWorkerAsync()
    {
        try
        {
            await _slots.WaitAsync(_drained.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (_queue.IsEmpty)
        {
            _slots.Release();
            return;
        }

        await WorkAsync(ownSlot: true).ConfigureAwait(false);
    }

    private async System.Threading.Tasks.Task WorkAsync(bool ownSlot)
    {
        await System.Threading.Tasks.Task.Yield();
        try
        {
            using var client = _createClient();
            while (!_stop.IsCancellationRequested && _queue.TryDequeue(out var item))
            {
                try
                {
                    var resource = await client.GetAsync(item.Link, _stop.Token).ConfigureAwait(false);
                    item.Page.TrySetResult(resource as Bundle);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    item.Page.TrySetCanceled(_stop.Token);
                }
                catch (Exception ex)
                {
                    item.Page.TrySetException(ex);
                }
            }

            if (_queue.IsEmpty)
            {
                await _drained.CancelAsync().ConfigureAwait(false); // every page is taken: workers still waiting for a slot give up
            }
        }
        finally
        {
            if (ownSlot)
            {
                _slots.Release();
            }
            else
            {
                CancelQueued(); // the worker that always runs is done (or failed): nothing may wait on a page left behind
            }
        }
    }

    /// <summary>Stops fetching: pages already fetched stay available; pages not yet started are cancelled, so a
    /// caller asking for one follows the link itself instead of waiting for a fetch that will never come.</summary>
    public void Stop()
    {
        _stop.Cancel();
        CancelQueued();
    }

    private void CancelQueued()
    {
        while (_queue.TryDequeue(out var item))
        {
            item.Page.TrySetCanceled();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        System.Threading.Tasks.Task[] workers;
        lock (_workers)
        {
            workers = [.. _workers];
        }

        await System.Threading.Tasks.Task.WhenAll(workers).ConfigureAwait(false);
        foreach (var page in _pages.Values)
        {
            page.TrySetCanceled(); // never fetched
            _ = page.Task.Exception; // a failed guess nobody asked for is not an unobserved exception
        }

        _drained.Dispose();
        _stop.Dispose();
        if (_ownsSlots)
        {
            _slots.Dispose();
        }
    }
}

using System.Globalization;
using System.Net;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Reads one patient's record from a FHIR R4 server, plainly: the stock Firely client
/// (<see cref="FhirClientFactory"/>), the section searches of <see cref="ContextSections"/> all at once, each asking
/// <c>_count</c> up to its cap and following <c>next</c> links up to the cap (a dated search is capped at what its
/// sections show and sorted newest first by the server, so the items kept are the ones shown); or
/// one paged <c>Patient/$everything</c> when the CapabilityStatement offers it. A search that fails marks only its
/// sections Failed (keeping what its earlier pages delivered); progress is reported per section as its searches end.
/// Medications, Binaries and Locations referenced but not returned are fetched by id afterwards. The builder then maps
/// the record in one pass.</summary>
/// <remarks>Everything about one read lives in the call (no per-request state on this object, which is shared by
/// every chart load): only the server's CapabilityStatement is kept. URLs (patient ids, search terms) and tokens are
/// never logged.</remarks>
internal sealed partial class FhirRecordReader(IHttpClientFactory httpClientFactory, FhirOptions options, TimeProvider time, ILogger logger)
{
    public const string Everything = "everything";
    public const string Searches = "searches";

    private readonly SemaphoreSlim _capabilityGate = new(1, 1);
    private ServerCapabilities? _capabilities;

    public FhirClient CreateClient() => FhirClientFactory.Create(httpClientFactory, options);

    public string Describe(Exception ex) => FhirClientFactory.Describe(ex, options);

    /// <summary>The record (with <see cref="PatientRecord.Strategy"/> saying how it was read), or null when the
    /// patient does not exist.</summary>
    public async Task<PatientRecord?> ReadAsync(string patientId, IProgress<SectionStatus>? progress, CancellationToken cancellationToken)
    {
        var caps = await GetCapabilitiesAsync(cancellationToken).ConfigureAwait(false);
        Patient? patient;
        List<Resource> found;
        List<SectionStatus> failures;
        string strategy;
        if (options.UseEverything && caps.PatientEverything && await EverythingAsync(patientId, caps, cancellationToken).ConfigureAwait(false) is { } everything)
        {
            strategy = Everything;
            (found, failures) = everything;
            // The operation returns the Patient with the record: no separate read unless it is missing.
            patient = found.OfType<Patient>().FirstOrDefault(p => p.Id == patientId) ?? await ReadPatientAsync(patientId, cancellationToken).ConfigureAwait(false);
            foreach (var section in ContextSections.Keys)
            {
                progress?.Report(failures.FirstOrDefault(f => f.Section == section) ?? new SectionStatus(section, SectionState.Loaded, 0));
            }
        }
        else
        {
            strategy = Searches;
            // The Patient read runs with the searches (one round trip less); when the patient does not exist or cannot
            // be read, the searches are cancelled and their results dropped.
            using var searchCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var searches = SearchAllAsync(patientId, caps, progress, searchCancellation.Token);
            try
            {
                patient = await ReadPatientAsync(patientId, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await DropAsync(searches, searchCancellation).ConfigureAwait(false);
                throw;
            }

            if (patient is null)
            {
                await DropAsync(searches, searchCancellation).ConfigureAwait(false);
                return null;
            }

            (found, failures) = await searches.ConfigureAwait(false);
        }

        if (patient is null)
        {
            return null;
        }

        var resources = new List<Resource>(found.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var resource in found)
        {
            if (resource is not Patient && seen.Add($"{resource.TypeName}/{resource.Id}"))
            {
                resources.Add(resource);
            }
        }

        await ResolveReferencesAsync(resources, seen, cancellationToken).ConfigureAwait(false);
        return new PatientRecord(patient, resources, failures) { Strategy = strategy };
    }

    private static async System.Threading.Tasks.Task DropAsync<T>(Task<T> task, CancellationTokenSource cancellation)
    {
        await cancellation.CancelAsync().ConfigureAwait(false);
        await System.Threading.Tasks.Task.WhenAny(task).ConfigureAwait(false);
        _ = task.Exception; // observed, result dropped
    }

    private async Task<Patient?> ReadPatientAsync(string patientId, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        try
        {
            return await client.ReadAsync<Patient>($"Patient/{patientId}", ct: cancellationToken).ConfigureAwait(false);
        }
        catch (FhirOperationException ex) when (ex.Status is HttpStatusCode.NotFound or HttpStatusCode.Gone)
        {
            return null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogTypeFailed(logger, "Patient", ex.GetType().Name, FhirClientFactory.StatusOf(ex));
            throw new FhirSourceException("The patient could not be loaded: " + Describe(ex), ex);
        }
    }

    private async Task<ServerCapabilities> GetCapabilitiesAsync(CancellationToken cancellationToken)
    {
        if (_capabilities is { } known)
        {
            return known;
        }

        await _capabilityGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_capabilities is { } again)
            {
                return again;
            }

            using var client = CreateClient();
            CapabilityStatement? statement = null;
            try
            {
                // Read /metadata as whatever resource it is: a server that answers with something else (an empty
                // Bundle, an OperationOutcome) is logged as what it sent, not as a failed request.
                switch (await client.GetAsync("metadata", cancellationToken).ConfigureAwait(false))
                {
                    case CapabilityStatement capabilities:
                        statement = capabilities;
                        LogCapabilities(logger, capabilities.Rest.Sum(r => r.Resource.Count), capabilities.FhirVersion?.ToString() ?? "unknown");
                        break;
                    case Bundle bundle:
                        LogNotCapabilities(logger, bundle.Entry.Count == 0 ? "an empty Bundle" : $"a Bundle of {bundle.Entry.Count} entries");
                        break;
                    case { } other:
                        LogNotCapabilities(logger, "a " + other.TypeName);
                        break;
                    default:
                        LogNotCapabilities(logger, "no resource");
                        break;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // No (readable) CapabilityStatement: assume plain searches with the standard parameters.
                LogTypeFailed(logger, "CapabilityStatement", ex.GetType().Name, FhirClientFactory.StatusOf(ex));
            }

            return _capabilities = ServerCapabilities.From(statement);
        }
        finally
        {
            _capabilityGate.Release();
        }
    }

    /// <summary>The record from one paged <c>Patient/$everything</c> (with <c>_type</c> and the window's <c>start</c>),
    /// or null when it fails: an incomplete $everything cannot say which sections are short, so the caller searches.</summary>
    private async Task<(List<Resource>, List<SectionStatus>)?> EverythingAsync(string patientId, ServerCapabilities caps, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var types = ContextSections.Types.Where(caps.Offers).Concat(["Medication", "Location", "Binary"]).Distinct().ToList();
        var url = $"Patient/{patientId}/$everything?_count={Math.Min(options.PageSize, options.MaxResourcesPerType)}&_type={string.Join(',', types)}";
        if (WindowStart() is { } start)
        {
            url += "&start=" + start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        try
        {
            if (await client.GetAsync(url, cancellationToken).ConfigureAwait(false) is not Bundle first)
            {
                return null;
            }

            var paged = await PageAsync(client, first, Everything, options.MaxResourcesPerType * ContextSections.Types.Count, cancellationToken).ConfigureAwait(false);
            if (paged.Error is not null)
            {
                LogEverythingFailed(logger, paged.Error.GetType().Name, FhirClientFactory.StatusOf(paged.Error));
                return null;
            }

            var failures = new List<SectionStatus>();
            if (paged.Capped)
            {
                foreach (var (search, sections) in ContextSections.Searches)
                {
                    var count = paged.Resources.Count(r => r.TypeName == search.Type);
                    failures.AddRange(sections.Select(s => new SectionStatus(s, SectionState.Capped, count,
                        $"showing the first {paged.Resources.Count:N0} resources of the record; the server holds more.")));
                }
            }

            return (paged.Resources, failures);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogEverythingFailed(logger, ex.GetType().Name, FhirClientFactory.StatusOf(ex));
            return null;
        }
    }

    /// <summary>Every section search at once; a section is reported when the last search that feeds it ends.</summary>
    private async Task<(List<Resource>, List<SectionStatus>)> SearchAllAsync(string patientId, ServerCapabilities caps, IProgress<SectionStatus>? progress, CancellationToken cancellationToken)
    {
        var remaining = ContextSections.Searches.SelectMany(s => s.Sections).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        var results = await System.Threading.Tasks.Task.WhenAll(ContextSections.Searches.Select(SearchOneAsync)).ConfigureAwait(false);
        return ([.. results.SelectMany(r => r.Resources)], [.. results.SelectMany(r => r.Failures)]);

        async Task<(List<Resource> Resources, List<SectionStatus> Failures)> SearchOneAsync((SectionSearch Search, IReadOnlyList<string> Sections) search)
        {
            var result = caps.Offers(search.Search.Type)
                ? await SearchTypeAsync(search.Search, search.Sections, patientId, caps, cancellationToken).ConfigureAwait(false)
                : ([], [.. search.Sections.Select(s => new SectionStatus(s, SectionState.Failed, 0,
                    $"{ContextSections.Label(s)} unavailable: the FHIR server does not offer {search.Search.Type}."))]);
            if (progress is not null)
            {
                lock (remaining)
                {
                    foreach (var section in search.Sections.Where(section => --remaining[section] == 0))
                    {
                        progress.Report(result.Failures.FirstOrDefault(f => f.Section == section)
                                        ?? new SectionStatus(section, SectionState.Loaded, result.Resources.Count));
                    }
                }
            }

            return result;
        }
    }

    private async Task<(List<Resource> Resources, List<SectionStatus> Failures)> SearchTypeAsync(SectionSearch search, IReadOnlyList<string> sections, string patientId, ServerCapabilities caps, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var parameter = caps.PatientParameter(search.Type, search.PatientParameter);
        // A dated search is capped at what its sections show (their items are newest first); others at the per-type cap.
        var cap = search.Sort is null ? options.MaxResourcesPerType
            : Math.Min(options.MaxResourcesPerType, sections.Max(s => ContextSections.Find(s)?.Cap ?? options.MaxItemsPerSection));
        var count = Math.Min(options.PageSize, cap);
        var query = new SearchParams().Add(parameter, parameter == "patient" ? patientId : $"Patient/{patientId}").LimitTo(count);
        if (search.Filter?.Split('=', 2) is [var filterName, var filterValue])
        {
            query.Add(filterName, filterValue);
        }

        if (search.DateParameter is { } dateParameter && WindowStart() is { } start)
        {
            query.Add(dateParameter, "ge" + start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (count == cap && search.Sort is { } sortedFromStart)
        {
            query.Add("_sort", sortedFromStart); // one page holds the cap: the newest come in one answer
        }

        foreach (var include in search.IncludeList)
        {
            query.Include(include);
        }

        Bundle? first;
        try
        {
            first = await client.SearchAsync(query, search.Type, cancellationToken).ConfigureAwait(false);
            if (first?.Total > cap && count < cap && search.Sort is { } sort)
            {
                // More than the cap: asked again, newest first, so that the items kept are the newest.
                first = await client.SearchAsync(query.Add("_sort", sort), search.Type, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogTypeFailed(logger, search.Type, ex.GetType().Name, FhirClientFactory.StatusOf(ex));
            return ([], [.. sections.Select(s => new SectionStatus(s, SectionState.Failed, 0, $"{ContextSections.Label(s)} unavailable: {Describe(ex)}"))]);
        }

        if (first is null)
        {
            return ([], []);
        }

        var paged = await PageAsync(client, first, search.Type, cap, cancellationToken,
            offset => client.SearchAsync(Clone(query).Add("_offset", offset.ToString(CultureInfo.InvariantCulture)), search.Type, cancellationToken)).ConfigureAwait(false);
        var failures = new List<SectionStatus>();
        if (paged.Error is { } error)
        {
            failures.AddRange(sections.Select(s => new SectionStatus(s, SectionState.Failed, paged.Matches,
                $"{ContextSections.Label(s)} incomplete: only the first {paged.Matches:N0} {search.Plural} were loaded; the next page failed ({Describe(error)})")));
        }
        else if (paged.Capped)
        {
            LogPageLimit(logger, search.Type, paged.Pages);
            var total = first.Total is { } t && t > paged.Matches ? $" of {t:N0}" : "";
            failures.AddRange(sections.Select(s => new SectionStatus(s, SectionState.Capped, paged.Matches,
                $"showing {paged.Matches:N0}{total} {search.Plural}: the rest was not loaded (the configured limit was reached or the server offered no way to page further).")));
        }

        return (paged.Resources, failures);
    }

    /// <summary>Collects a search's pages: follows <c>next</c> until none, <see cref="FhirOptions.MaxPages"/> or
    /// <paramref name="maxMatches"/>; without a next link but with a total that says there is more, asks for the rest
    /// by <c>_offset</c> (<paramref name="fetchOffset"/>). A failing page ends the loop and is returned with what came
    /// before.</summary>
    internal async Task<Paged> PageAsync(FhirClient client, Bundle first, string type, int maxMatches, CancellationToken cancellationToken,
        Func<int, Task<Bundle?>>? fetchOffset = null)
    {
        var resources = new List<Resource>();
        var matches = 0;
        var pages = 0;
        var seenLinks = new HashSet<string>(StringComparer.Ordinal);
        var seenMatches = new HashSet<string>(StringComparer.Ordinal);
        for (var page = first; page is not null;)
        {
            pages++;
            var fresh = 0;
            foreach (var entry in page.Entry)
            {
                if (entry.Resource is not { } resource || string.IsNullOrEmpty(resource.Id) || resource is OperationOutcome)
                {
                    continue;
                }

                if (FhirValues.IsInclude(entry))
                {
                    resources.Add(resource);
                    continue;
                }

                if (matches >= maxMatches)
                {
                    return new Paged(resources, matches, pages, Capped: true, Error: null);
                }

                if (!seenMatches.Add($"{resource.TypeName}/{resource.Id}"))
                {
                    continue; // a server that repeats entries across pages
                }

                fresh++;
                matches++;
                resources.Add(resource);
            }

            var next = page.NextLink?.ToString();
            var unlinkedRest = next is null && fetchOffset is not null && first.Total is { } total && total > matches && fresh > 0;
            if ((next is null && !unlinkedRest) || (next is not null && !seenLinks.Add(next)))
            {
                // Done, or a server that links a page to itself. A server that says there are more (total) but gives
                // no link and ignores _offset ends here too: the section says how many of how many were loaded.
                return new Paged(resources, matches, pages, Capped: first.Total is { } t && t > matches, Error: null);
            }

            if (pages >= options.MaxPages || matches >= maxMatches)
            {
                return new Paged(resources, matches, pages, Capped: true, Error: null);
            }

            try
            {
                page = next is not null
                    ? await client.ContinueAsync(page, ct: cancellationToken).ConfigureAwait(false)
                    : await fetchOffset!(matches).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogTypeFailed(logger, type, ex.GetType().Name, FhirClientFactory.StatusOf(ex));
                return new Paged(resources, matches, pages, Capped: false, Error: ex);
            }
        }

        return new Paged(resources, matches, pages, Capped: false, Error: null);
    }

    /// <summary>Fetches Medications, Locations and text Binaries the record points at but did not include, by id
    /// (Medication and Location in one <c>_id</c> search each, Binaries read one by one up to a bound). Failures
    /// only cost names and note texts; they are logged without identifiers.</summary>
    private async System.Threading.Tasks.Task ResolveReferencesAsync(List<Resource> resources, HashSet<string> seen, CancellationToken cancellationToken)
    {
        var wanted = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        void Want(ResourceReference? reference, string type)
        {
            if (FhirValues.ReferenceKey(reference) is { } key && key.StartsWith(type + "/", StringComparison.Ordinal) && !seen.Contains(key)
                && Id.IsValidValue(key[(type.Length + 1)..]))
            {
                (wanted.TryGetValue(type, out var ids) ? ids : wanted[type] = []).Add(key[(type.Length + 1)..]);
            }
        }

        foreach (var resource in resources)
        {
            switch (resource)
            {
                case MedicationRequest { Medication: ResourceReference medication }:
                    Want(medication, "Medication");
                    break;
                case MedicationStatement { Medication: ResourceReference medication }:
                    Want(medication, "Medication");
                    break;
                case Encounter encounter:
                    foreach (var location in encounter.Location)
                    {
                        Want(location.Location, "Location");
                    }

                    break;
                case DocumentReference document:
                    foreach (var content in document.Content)
                    {
                        if (content.Attachment is { Data: null, Url: { Length: > 0 } url } attachment
                            && (attachment.ContentType is null || attachment.ContentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)))
                        {
                            Want(new ResourceReference(url), "Binary");
                        }
                    }

                    break;
            }
        }

        var tasks = new List<Task<IReadOnlyList<Resource>>>();
        foreach (var (type, ids) in wanted)
        {
            tasks.AddRange(type == "Binary"
                ? ids.Take(50).Select(id => ReadOneAsync<Binary>($"Binary/{id}", cancellationToken))
                : ids.Chunk(options.LookupBatchSize).Select(chunk => SearchByIdsAsync(type, chunk, cancellationToken)));
        }

        foreach (var found in await System.Threading.Tasks.Task.WhenAll(tasks).ConfigureAwait(false))
        {
            resources.AddRange(found.Where(resource => seen.Add($"{resource.TypeName}/{resource.Id}")));
        }
    }

    /// <summary>The resources of one type with the given ids (one <c>_id</c> search, split when the server finds its URL
    /// too long); a failure is logged and gives none.</summary>
    internal Task<IReadOnlyList<Resource>> SearchByIdsAsync(string type, string[] ids, CancellationToken cancellationToken) =>
        BatchAsync(ids, type, async (client, batch) =>
        {
            var bundle = await client.SearchAsync(new SearchParams().Add("_id", string.Join(',', batch)).LimitTo(batch.Length), type, cancellationToken).ConfigureAwait(false);
            return bundle is null ? [] : (await PageAsync(client, bundle, type, batch.Length, cancellationToken).ConfigureAwait(false)).Resources;
        }, cancellationToken);

    /// <summary>One batched look-up of <paramref name="type"/>: a batch the server refuses with HTTP 414 (URI too long)
    /// is split in half and both halves are sent, down to single ids; any other failure is logged and gives none (it
    /// only costs what the batch would have shown).</summary>
    internal async Task<IReadOnlyList<Resource>> BatchAsync(string[] ids, string type,
        Func<FhirClient, string[], Task<IReadOnlyList<Resource>>> search, CancellationToken cancellationToken)
    {
        try
        {
            using var client = CreateClient();
            return await search(client, ids).ConfigureAwait(false);
        }
        catch (FhirOperationException tooLong) when (tooLong.Status == HttpStatusCode.RequestUriTooLong && ids.Length > 1)
        {
            var halves = await System.Threading.Tasks.Task.WhenAll(
                BatchAsync(ids[..(ids.Length / 2)], type, search, cancellationToken),
                BatchAsync(ids[(ids.Length / 2)..], type, search, cancellationToken)).ConfigureAwait(false);
            return [.. halves[0], .. halves[1]];
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogTypeFailed(logger, type, ex.GetType().Name, FhirClientFactory.StatusOf(ex));
            return [];
        }
    }

    private async Task<IReadOnlyList<Resource>> ReadOneAsync<T>(string location, CancellationToken cancellationToken) where T : Resource
    {
        using var client = CreateClient();
        try
        {
            return await client.ReadAsync<T>(location, ct: cancellationToken).ConfigureAwait(false) is { } resource ? [resource] : [];
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogTypeFailed(logger, typeof(T).Name, ex.GetType().Name, FhirClientFactory.StatusOf(ex));
            return [];
        }
    }

    internal static SearchParams Clone(SearchParams query)
    {
        var copy = new SearchParams();
        foreach (var (name, value) in query.Parameters)
        {
            copy.Add(name, value);
        }

        copy.Count = query.Count;
        foreach (var include in query.Include)
        {
            copy.Include.Add(include);
        }

        return copy;
    }

    private DateTimeOffset? WindowStart() => options.WindowDays > 0 ? time.GetUtcNow().AddDays(-options.WindowDays) : null;

    internal sealed record Paged(List<Resource> Resources, int Matches, int Pages, bool Capped, Exception? Error);

    /// <summary>What the CapabilityStatement says (everything allowed when there is none).</summary>
    private sealed record ServerCapabilities(bool PatientEverything, IReadOnlyDictionary<string, IReadOnlySet<string>>? Types)
    {
        public bool Offers(string type) => Types is null || Types.Count == 0 || Types.ContainsKey(type);

        /// <summary>The declared parameter, unless the server lists its search parameters for the type and names only the other.</summary>
        public string PatientParameter(string type, string preferred)
        {
            if (Types is null || !Types.TryGetValue(type, out var parameters) || parameters.Count == 0 || parameters.Contains(preferred))
            {
                return preferred;
            }

            var other = preferred == "subject" ? "patient" : "subject";
            return parameters.Contains(other) ? other : preferred;
        }

        public static ServerCapabilities From(CapabilityStatement? statement)
        {
            if (statement is null)
            {
                return new ServerCapabilities(false, null);
            }

            var rest = statement.Rest.Where(r => r.Mode is null or CapabilityStatement.RestfulCapabilityMode.Server).ToList();
            var resources = rest.SelectMany(r => r.Resource).Where(r => !string.IsNullOrEmpty(r.Type)).ToList();
            var everything = resources.Any(r => r.Type == "Patient" && r.Operation.Any(IsEverything))
                             || rest.Any(r => r.Operation.Any(IsEverything));
            var types = resources
                .GroupBy(r => r.Type!, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.SelectMany(r => r.SearchParam).Select(p => p.Name).OfType<string>().ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
            return new ServerCapabilities(everything, types);

            static bool IsEverything(CapabilityStatement.OperationComponent o) =>
                o.Name is "everything" or "$everything" || (o.Definition?.EndsWith("/Patient-everything", StringComparison.Ordinal) ?? false);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "FHIR request for {ResourceType} failed ({ExceptionType}, HTTP {Status})")]
    internal static partial void LogTypeFailed(ILogger logger, string resourceType, string exceptionType, int? status);

    [LoggerMessage(Level = LogLevel.Information, Message = "FHIR server CapabilityStatement read: {ResourceTypes} resource types, FHIR version {FhirVersion}")]
    private static partial void LogCapabilities(ILogger logger, int resourceTypes, string fhirVersion);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The FHIR server's /metadata answered {WhatCame} instead of a CapabilityStatement; assuming plain searches with the standard parameters")]
    private static partial void LogNotCapabilities(ILogger logger, string whatCame);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FHIR search for {ResourceType} stopped at the limit after {Pages} pages")]
    private static partial void LogPageLimit(ILogger logger, string resourceType, int pages);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Patient/$everything failed ({ExceptionType}, HTTP {Status}); falling back to section searches")]
    private static partial void LogEverythingFailed(ILogger logger, string exceptionType, int? status);
}

using System.Globalization;
using System.Net;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Reads patients from a FHIR R4 server with Firely's <see cref="FhirClient"/> (JSON, lenient parser; searches
/// and pages read from a pooled buffer, <see cref="PooledReadFhirClient"/>) over
/// the named HttpClient <see cref="HttpClientName"/> (authorization, retry with Retry-After, circuit breaker and
/// timeouts configured in DI).</summary>
/// <remarks>
/// <para>The server's CapabilityStatement is read once. When it offers <c>Patient/$everything</c> the record is one
/// paged $everything call (with <c>start</c> and <c>_type</c>); otherwise (or when $everything fails) each section
/// declares its searches, searches shared by two sections are run once, and they run in parallel with bounded
/// concurrency. Every search follows <c>next</c> links until there is none, the page cap or the per-type resource
/// cap; <c>_count</c> is asked for but never relied on. A search that fails marks only its sections Failed and keeps
/// what its earlier pages delivered. Medications, Binaries and Locations referenced but not returned are fetched
/// by id afterwards.</para>
/// <para>URLs (which carry patient ids and search terms) and tokens are never logged.</para>
/// </remarks>
public sealed partial class ServerRecordSource : IPatientRecordSource
{
    public const string HttpClientName = "fhir";

    /// <summary>The searches the context sections declare: resource type, the sections it feeds, the patient
    /// search parameter, the date parameter used for the time window, and includes.</summary>
    internal static readonly IReadOnlyList<SectionSearch> Searches =
        [.. ContextSections.Searches.Select(s => new SectionSearch(s.Search.Type, [.. s.Sections], s.Search.PatientParameter, s.Search.DateParameter, [.. s.Search.IncludeList]))];

    /// <summary>The order the searches are started in: Observation (vital signs and labs, most of a chart's bytes) first.</summary>
    private static readonly int[] DispatchOrder = [.. Enumerable.Range(0, Searches.Count).OrderBy(i => Searches[i].Type == "Observation" ? 0 : 1)];

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly FhirOptions _options;
    private readonly Uri _baseUrl;
    private readonly TimeProvider _time;
    private readonly ILogger<ServerRecordSource> _logger;
    private readonly SemaphoreSlim _capabilityGate = new(1, 1);
    private ServerCapabilities? _capabilities;

    public ServerRecordSource(IHttpClientFactory httpClientFactory, IOptions<FhirOptions> options, TimeProvider time, ILogger<ServerRecordSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory ?? throw new ArgumentNullException(nameof(httpClientFactory));
        _options = options.Value;
        _baseUrl = BaseUrl(_options);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public string Name => "Server";

    /// <summary>How the last record was fetched ("everything" or "searches"), for tests and the benchmark.</summary>
    public string? LastStrategy { get; private set; }

    /// <summary>How many searches of the last record were split into date slices (and kept), for tests and the benchmark.</summary>
    public int LastSplitSearches => _lastSplitSearches;

    private int _lastSplitSearches;

    /// <summary>Patients by name, identifier (MRN) or birth date (yyyy-MM-dd); the first page of each search.</summary>
    public async Task<IReadOnlyList<PatientSummary>> SearchPatientsAsync(string? query, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var patients = new Dictionary<string, Patient>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(query))
        {
            AddPatients(await client.SearchAsync(new SearchParams().LimitTo(_options.PageSize), "Patient", cancellationToken).ConfigureAwait(false));
        }
        else
        {
            var term = query.Trim();
            if (DateOnly.TryParseExact(term, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                AddPatients(await client.SearchAsync(new SearchParams().Add("birthdate", term).LimitTo(_options.PageSize), "Patient", cancellationToken).ConfigureAwait(false));
            }
            else
            {
                using var identifierClient = CreateClient();
                var byName = client.SearchAsync(new SearchParams().Add("name", term).LimitTo(_options.PageSize), "Patient", cancellationToken);
                var byIdentifier = identifierClient.SearchAsync(new SearchParams().Add("identifier", term).LimitTo(_options.PageSize), "Patient", cancellationToken);
                AddPatients(await byName.ConfigureAwait(false));
                AddPatients(await byIdentifier.ConfigureAwait(false));
            }
        }

        var encounters = await OngoingEncountersAsync(client, patients.Keys, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        return patients.Values
            .Select(p => PatientSummaries.Create(p, encounters, now))
            .OrderBy(s => s.DisplayName, StringComparer.OrdinalIgnoreCase)
            .ThenBy(s => s.Id, StringComparer.Ordinal)
            .ToList();

        void AddPatients(Bundle? bundle)
        {
            foreach (var patient in Matches<Patient>(bundle))
            {
                patients.TryAdd(patient.Id!, patient);
            }
        }
    }

    /// <summary>The rounds list per <see cref="FhirOptions.Census"/>: in-progress Encounters (at a location or for a
    /// service) with their patients, or the patients of a FHIR List or Group. Every page is followed.</summary>
    public async Task<IReadOnlyList<PatientSummary>> GetCensusAsync(CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var census = _options.Census;
        var encounters = new List<Resource>();
        var patientIds = new List<string>();
        switch (census.Mode)
        {
            case CensusMode.List or CensusMode.Group:
            {
                var id = census.Mode == CensusMode.List ? census.ListId : census.GroupId;
                if (string.IsNullOrWhiteSpace(id) || !Hl7.Fhir.Model.Id.IsValidValue(id))
                {
                    throw new FhirSourceException($"The rounds list is not configured: Fhir:Census:{census.Mode}Id is missing.");
                }

                Resource? list = census.Mode == CensusMode.List
                    ? await client.ReadAsync<List>($"List/{id}", ct: cancellationToken).ConfigureAwait(false)
                    : await client.ReadAsync<Group>($"Group/{id}", ct: cancellationToken).ConfigureAwait(false);
                var references = list switch
                {
                    List l => l.Entry.Where(e => e.Deleted != true).Select(e => e.Item),
                    Group g => g.Member.Where(m => m.Inactive != true).Select(m => m.Entity),
                    _ => [],
                };
                patientIds.AddRange(references.Select(FhirValues.ReferenceKey).OfType<string>()
                    .Where(k => k.StartsWith("Patient/", StringComparison.Ordinal)).Select(k => k[8..]).Distinct());
                break;
            }

            default:
            {
                var query = new SearchParams().Add("status", "in-progress").LimitTo(_options.PageSize);
                if (!string.IsNullOrWhiteSpace(census.Location))
                {
                    query.Add("location", "Location/" + census.Location);
                }

                if (!string.IsNullOrWhiteSpace(census.ServiceProvider))
                {
                    query.Add("service-provider", "Organization/" + census.ServiceProvider);
                }

                var first = await client.SearchAsync(query, "Encounter", cancellationToken).ConfigureAwait(false);
                if (first is not null)
                {
                    var paged = await PageAsync(client, first, "Encounter", _options.MaxResourcesPerType, cancellationToken,
                        offset => client.SearchAsync(Clone(query).Add("_offset", offset.ToString(CultureInfo.InvariantCulture)), "Encounter", cancellationToken)).ConfigureAwait(false);
                    if (paged.Error is { } error)
                    {
                        throw new FhirSourceException("The rounds list could not be loaded completely: " + Describe(error), error);
                    }

                    encounters.AddRange(paged.Resources.OfType<Encounter>());
                    patientIds.AddRange(encounters.OfType<Encounter>().Select(e => FhirValues.ReferenceKey(e.Subject)).OfType<string>()
                        .Where(k => k.StartsWith("Patient/", StringComparison.Ordinal)).Select(k => k[8..]).Distinct());
                }

                break;
            }
        }

        var patients = new List<Patient>();
        foreach (var chunk in patientIds.Where(Hl7.Fhir.Model.Id.IsValidValue).Chunk(50))
        {
            var found = await SearchByIdsAsync("Patient", chunk, cancellationToken).ConfigureAwait(false);
            patients.AddRange(found.OfType<Patient>());
        }

        if (encounters.Count == 0 && patients.Count > 0)
        {
            encounters.AddRange(await OngoingEncountersAsync(client, patients.Select(p => p.Id!), cancellationToken).ConfigureAwait(false));
        }

        var now = _time.GetUtcNow();
        return patients
            .Select(p => PatientSummaries.Create(p, encounters, now))
            .OrderBy(s => s.Location ?? "\uffff", StringComparer.OrdinalIgnoreCase)
            .ThenBy(s => s.DisplayName, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    public Task<PatientRecord?> GetRecordAsync(string patientId, CancellationToken cancellationToken) =>
        GetRecordAsync(patientId, progress: null, cancellationToken);

    public async Task<PatientRecord?> GetRecordAsync(string patientId, IProgress<SectionStatus>? progress, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(patientId) || !Hl7.Fhir.Model.Id.IsValidValue(patientId))
        {
            return null; // not a FHIR id: never let it become part of a URL
        }

        var premapped = new PatientContextBuilder.Premapped(patientId, _options.MaxNoteCharacters);
        var loaded = _options.UseEverything && _capabilities is { PatientEverything: true }
            ? await LoadWithEverythingAsync(patientId, progress, premapped, cancellationToken).ConfigureAwait(false)
            : await LoadWithPatientReadAsync(patientId, progress, premapped, cancellationToken).ConfigureAwait(false);
        if (loaded is not { } record)
        {
            return null;
        }

        var (patient, results) = record;

        var resources = new List<Resource>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var failures = new List<SectionStatus>();
        foreach (var result in results)
        {
            failures.AddRange(result.Failures);
            foreach (var resource in result.Resources)
            {
                if (resource is not Patient && seen.Add($"{resource.TypeName}/{resource.Id}"))
                {
                    resources.Add(resource);
                }
            }
        }

        await ResolveReferencesAsync(resources, seen, cancellationToken).ConfigureAwait(false);
        if (LastStrategy == "everything" && progress is not null)
        {
            foreach (var section in Searches.SelectMany(s => s.Sections).Distinct())
            {
                progress.Report(new SectionStatus(section, SectionState.Loaded, 0));
            }
        }

        return new PatientRecord(patient, resources, failures) { Premapped = premapped };
    }

    /// <summary>The Patient read and the record's searches run at the same time (one round trip less); when the patient
    /// does not exist or cannot be read, the searches are cancelled and their results dropped.</summary>
    private async Task<(Patient Patient, IReadOnlyList<TypeResult> Results)?> LoadWithPatientReadAsync(string patientId, IProgress<SectionStatus>? progress, PatientContextBuilder.Premapped premapped, CancellationToken cancellationToken)
    {
        using var loadCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var loadTask = LoadSectionsAsync(patientId, progress, premapped, loadCancellation.Token);
        var patientTask = ReadPatientAsync(patientId, cancellationToken);
        Patient? patient;
        try
        {
            patient = await patientTask.ConfigureAwait(false);
        }
        catch
        {
            await loadCancellation.CancelAsync().ConfigureAwait(false);
            await System.Threading.Tasks.Task.WhenAny(loadTask).ConfigureAwait(false);
            _ = loadTask.Exception; // observed, result dropped
            throw;
        }

        if (patient is null)
        {
            await loadCancellation.CancelAsync().ConfigureAwait(false);
            await System.Threading.Tasks.Task.WhenAny(loadTask).ConfigureAwait(false);
            _ = loadTask.Exception;
            return null;
        }

        return (patient, await loadTask.ConfigureAwait(false));
    }

    /// <summary>A server known to offer <c>Patient/$everything</c> returns the Patient with the record, so there is no
    /// separate read (one request less on every chart); the Patient is read only when the answer lacks it (e.g. the
    /// operation failed and the source fell back to section searches, or the patient does not exist).</summary>
    private async Task<(Patient Patient, IReadOnlyList<TypeResult> Results)?> LoadWithEverythingAsync(string patientId, IProgress<SectionStatus>? progress, PatientContextBuilder.Premapped premapped, CancellationToken cancellationToken)
    {
        var results = await LoadSectionsAsync(patientId, progress, premapped, cancellationToken).ConfigureAwait(false);
        var patient = results.SelectMany(r => r.Resources).OfType<Patient>().FirstOrDefault(p => p.Id == patientId)
                      ?? await ReadPatientAsync(patientId, cancellationToken).ConfigureAwait(false);
        return patient is null ? null : (patient, results);
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
            LogTypeFailed(_logger, "Patient", ex.GetType().Name, StatusOf(ex));
            throw new FhirSourceException("The patient could not be loaded: " + Describe(ex), ex);
        }
    }

    private async Task<IReadOnlyList<TypeResult>> LoadSectionsAsync(string patientId, IProgress<SectionStatus>? progress, PatientContextBuilder.Premapped premapped, CancellationToken cancellationToken)
    {
        var caps = await GetCapabilitiesAsync(cancellationToken).ConfigureAwait(false);
        if (_options.UseEverything && caps.PatientEverything
            && await EverythingAsync(patientId, caps, cancellationToken).ConfigureAwait(false) is { } everything)
        {
            LastStrategy = "everything";
            return everything;
        }

        LastStrategy = "searches";
        Interlocked.Exchange(ref _lastSplitSearches, 0);
        return await SearchAllAsync(patientId, caps, progress, premapped, cancellationToken).ConfigureAwait(false);
    }

    // ---- CapabilityStatement ----

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
                statement = await client.CapabilityStatementAsync(ct: cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // No (readable) CapabilityStatement: assume plain searches with the standard parameters.
                LogTypeFailed(_logger, "CapabilityStatement", ex.GetType().Name, StatusOf(ex));
            }

            return _capabilities = ServerCapabilities.From(statement);
        }
        finally
        {
            _capabilityGate.Release();
        }
    }

    // ---- Patient/$everything ----

    private async Task<IReadOnlyList<TypeResult>?> EverythingAsync(string patientId, ServerCapabilities caps, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var types = Searches.Select(s => s.Type).Distinct().Where(caps.Offers)
            .Concat(["Medication", "Location", "Binary"]).Distinct().ToList();
        var url = $"Patient/{patientId}/$everything?_count={_options.PageSize}&_type={string.Join(',', types)}";
        if (WindowStart() is { } start)
        {
            url += "&start=" + start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        try
        {
            var first = await client.GetAsync(url, cancellationToken).ConfigureAwait(false) as Bundle;
            if (first is null)
            {
                return null;
            }

            var paged = await PageAsync(client, first, "everything", _options.MaxResourcesPerType * Searches.Count, cancellationToken).ConfigureAwait(false);
            if (paged.Error is not null)
            {
                LogEverythingFailed(_logger, paged.Error.GetType().Name, StatusOf(paged.Error));
                return null; // an incomplete $everything cannot say which sections are short: search per section instead
            }

            var failures = new List<SectionStatus>();
            foreach (var search in Searches)
            {
                var count = paged.Resources.Count(r => r.TypeName == search.Type);
                if (paged.Capped)
                {
                    failures.AddRange(search.Sections.Select(s => new SectionStatus(s, SectionState.Capped, count,
                        $"showing the first {paged.Resources.Count:N0} resources of the record; the server holds more.")));
                }
            }

            return [new TypeResult(paged.Resources, failures)];
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogEverythingFailed(_logger, ex.GetType().Name, StatusOf(ex));
            return null;
        }
    }

    // ---- Section searches ----

    private async Task<IReadOnlyList<TypeResult>> SearchAllAsync(string patientId, ServerCapabilities caps, IProgress<SectionStatus>? progress, PatientContextBuilder.Premapped premapped, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
        var remaining = Searches.SelectMany(s => s.Sections).GroupBy(s => s).ToDictionary(g => g.Key, g => g.Count());
        // The usually largest search (Observation) is sent first: sending costs about a tenth of a millisecond of CPU
        // per request before its first byte leaves, and the longest download should not wait behind the short ones.
        // (Sending each from its own thread-pool item measured no faster on 2 cores.) Results keep the declared order.
        var tasks = new Task<TypeResult>[Searches.Count];
        var outstanding = Searches.Count;
        foreach (var index in DispatchOrder)
        {
            tasks[index] = SearchOneAsync(Searches[index]);
        }

        return await System.Threading.Tasks.Task.WhenAll(tasks).ConfigureAwait(false);

        async Task<TypeResult> SearchOneAsync(SectionSearch search)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            TypeResult result;
            try
            {
                result = caps.Offers(search.Type)
                    ? await SearchTypeAsync(search, patientId, caps, gate, cancellationToken).ConfigureAwait(false)
                    : new TypeResult([], search.Sections.Select(s => new SectionStatus(s, SectionState.Failed, 0,
                        $"{SectionLabel(s)} unavailable: the FHIR server does not offer {search.Type}.")).ToList());
            }
            finally
            {
                gate.Release();
            }

            if (progress is not null)
            {
                lock (remaining)
                {
                    foreach (var section in search.Sections)
                    {
                        if (--remaining[section] == 0)
                        {
                            progress.Report(result.Failures.FirstOrDefault(f => f.Section == section)
                                            ?? new SectionStatus(section, SectionState.Loaded, result.Resources.Count));
                        }
                    }
                }
            }

            // Mapped now, on this search's own thread while other searches are still out, instead of after the last
            // answer (after the progress report, so the section shows as loaded at once; outside the gate: mapping
            // needs no connection). The search that completes last leaves its resources to Build, which would
            // otherwise just wait for this.
            if (Interlocked.Decrement(ref outstanding) > 0)
            {
                premapped.Add(result.Resources);
            }

            return result;
        }
    }

    private async Task<TypeResult> SearchTypeAsync(SectionSearch search, string patientId, ServerCapabilities caps, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        // One FhirClient per search: the client keeps per-call state (LastResult), the HttpClient underneath is shared.
        using var client = CreateClient();
        var parameter = caps.PatientParameter(search.Type, search.PatientParameter);
        var query = new SearchParams().Add(parameter, parameter == "patient" ? patientId : $"Patient/{patientId}").LimitTo(_options.PageSize);
        if (search.DateParameter is { } dateParameter && WindowStart() is { } start)
        {
            query.Add(dateParameter, "ge" + start.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        foreach (var include in search.Includes)
        {
            query.Include(include);
        }

        Bundle? first;
        try
        {
            first = await client.SearchAsync(query, search.Type, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogTypeFailed(_logger, search.Type, ex.GetType().Name, StatusOf(ex));
            return new TypeResult([], search.Sections.Select(s => new SectionStatus(s, SectionState.Failed, 0,
                $"{SectionLabel(s)} unavailable: {Describe(ex)}")).ToList());
        }

        if (first is null)
        {
            return new TypeResult([], []);
        }

        Func<int, Task<Bundle?>> fetchOffset =
            offset => client.SearchAsync(Clone(query).Add("_offset", offset.ToString(CultureInfo.InvariantCulture)), search.Type, cancellationToken);
        // Predictable next links are prefetched in parallel (exact, no extra request); only a long search whose links
        // are opaque is split into date slices (which fetches its first page twice).
        var predictable = _options.PrefetchPages && NextPagePrefetch.PredictLinks(first, Matches<Resource>(first).Count(), _options.MaxPages) is not null;
        var paged = (predictable ? null : await SplitSearchAsync(search, query, first, gate, cancellationToken).ConfigureAwait(false))
                    ?? await PageAsync(client, first, search.Type, _options.MaxResourcesPerType, cancellationToken, fetchOffset, gate: gate).ConfigureAwait(false);
        var failures = new List<SectionStatus>();
        if (paged.Error is { } sliceError && paged.FailedSlice is { } slice)
        {
            LogTypeFailed(_logger, search.Type, sliceError.GetType().Name, StatusOf(sliceError));
            failures.AddRange(search.Sections.Select(s => new SectionStatus(s, SectionState.Failed, paged.Matches,
                $"{SectionLabel(s)} incomplete: {paged.Matches:N0} {Plural(search.Type)} were loaded, but the part of the search for {slice} failed ({Describe(sliceError)})")));
        }
        else if (paged.Error is { } error)
        {
            LogTypeFailed(_logger, search.Type, error.GetType().Name, StatusOf(error));
            failures.AddRange(search.Sections.Select(s => new SectionStatus(s, SectionState.Failed, paged.Matches,
                $"{SectionLabel(s)} incomplete: only the first {paged.Matches:N0} {Plural(search.Type)} were loaded; the next page failed ({Describe(error)})")));
        }
        else if (paged.Capped)
        {
            LogPageLimit(_logger, search.Type, paged.Pages);
            var total = first.Total is { } t && t > paged.Matches ? $" of {t:N0}" : "";
            failures.AddRange(search.Sections.Select(s => new SectionStatus(s, SectionState.Capped, paged.Matches,
                $"showing {paged.Matches:N0}{total} {Plural(search.Type)}: the rest was not loaded (the configured limit was reached or the server offered no way to page further).")));
        }

        return new TypeResult(paged.Resources, failures);
    }

    // ---- Splitting a long dated search into parallel date slices ----

    /// <summary>When the first page of a dated search shows that at least six more pages follow (by Bundle.total; or
    /// a next link without a total), the rest is fetched as up to <see cref="FhirOptions.SplitSlices"/> searches over
    /// disjoint date ranges (boundaries: equal parts of the configured window, else quantiles of the first page's
    /// dates; the first range is open below and the last open above), each following its own next links (or
    /// <c>_offset</c>), plus one <c>date:missing=true</c> search for undated items when there is no window (a window
    /// excludes them from the unsplit search too). The slices share the search's concurrency slot and take more from
    /// <paramref name="gate"/> as they come free. Duplicates are removed by type and id.</summary>
    /// <returns>null when splitting does not apply, or cannot be trusted: the server ignored the date parameter (a
    /// slice returned items outside its range), the undated-items search failed (e.g. <c>:missing</c> unsupported), or
    /// the slices together found fewer matches than the first page's total. The caller then pages the unsplit search.</returns>
    private async Task<Paged?> SplitSearchAsync(SectionSearch search, SearchParams query, Bundle first, SemaphoreSlim gate, CancellationToken cancellationToken)
    {
        if (search.DateParameter is not { } dateParameter || _options.SplitSlices < 2 || (first.NextLink is null && first.Total is null))
        {
            return null;
        }

        var firstMatches = Matches<Resource>(first).Where(r => r.TypeName == search.Type).ToList();
        if (firstMatches.Count == 0)
        {
            return null;
        }

        // Splitting costs the first page twice (it is fetched again inside its slice), so it only pays off when at
        // least 6 pages are left; past that, each slice costs just one request more and shortens the longest chain of
        // sequential round trips, so the rest is cut into slices of about 2 pages (up to SplitSlices). Without a
        // total the size is unknown: at most 4 slices.
        var count = Math.Min(_options.SplitSlices, 4);
        if (first.Total is { } total)
        {
            var pagesLeft = (total - firstMatches.Count + firstMatches.Count - 1) / firstMatches.Count;
            if (pagesLeft < 6)
            {
                return null;
            }

            count = Math.Min(_options.SplitSlices, pagesLeft / 2);
        }

        if (count < 2)
        {
            return null;
        }

        var window = WindowStart();
        List<DateTimeOffset> bounds;
        if (window is { } start)
        {
            var span = _time.GetUtcNow() - start;
            bounds = Enumerable.Range(1, count - 1).Select(i => start + span * i / count).ToList();
        }
        else
        {
            var dates = firstMatches.Select(r => FhirValues.ToDateTimeOffset(DateElement(r))).OfType<DateTimeOffset>().Order().ToList();
            if (dates.Count < 2)
            {
                return null;
            }

            bounds = Enumerable.Range(1, count - 1).Select(i => dates[i * dates.Count / count]).ToList();
        }

        var days = bounds.Select(b => DateOnly.FromDateTime(b.UtcDateTime)).Distinct().Order().ToList();
        if (window is { } w)
        {
            days.RemoveAll(d => d <= DateOnly.FromDateTime(w.UtcDateTime));
        }

        if (days.Count == 0)
        {
            return null;
        }

        var slices = new List<DateSlice>();
        for (var i = 0; i <= days.Count; i++)
        {
            slices.Add(new DateSlice(i == 0 ? null : days[i - 1], i == days.Count ? null : days[i], Missing: false));
        }

        if (window is null)
        {
            slices.Add(new DateSlice(null, null, Missing: true));
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var drained = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
        var queue = new System.Collections.Concurrent.ConcurrentQueue<DateSlice>(slices);
        var results = new System.Collections.Concurrent.ConcurrentBag<(DateSlice Slice, Paged Paged)>();
        var untrusted = 0;
        var pageBudget = Math.Max(1, (_options.MaxPages - 1) / slices.Count);

        async System.Threading.Tasks.Task WorkAsync()
        {
            while (queue.TryDequeue(out var slice))
            {
                try
                {
                    if (await RunSliceAsync(slice).ConfigureAwait(false) is { } paged)
                    {
                        results.Add((slice, paged));
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }

        async System.Threading.Tasks.Task ExtraWorkerAsync()
        {
            try
            {
                await gate.WaitAsync(drained.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return; // every slice was taken before a slot came free
            }

            try
            {
                await WorkAsync().ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }

        async Task<Paged?> RunSliceAsync(DateSlice slice)
        {
            using var client = CreateClient();
            var sliceQuery = Clone(query);
            if (slice.Missing)
            {
                sliceQuery.Add(dateParameter + ":missing", "true");
            }

            if (slice.From is { } from)
            {
                sliceQuery.Add(dateParameter, "ge" + from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            if (slice.Before is { } before)
            {
                sliceQuery.Add(dateParameter, "lt" + before.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            Bundle? page;
            try
            {
                page = await client.SearchAsync(sliceQuery, search.Type, stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
            {
                if (slice.Missing)
                {
                    Interlocked.Exchange(ref untrusted, 1); // :missing not supported: undated items only come from the unsplit search
                    await stop.CancelAsync().ConfigureAwait(false);
                    return null;
                }

                return new Paged([], 0, 1, Capped: false, Error: ex, FailedSlice: slice.Label);
            }

            if (page is null)
            {
                return null;
            }

            if (!Matches<Resource>(page).Where(r => r.TypeName == search.Type).All(slice.Holds))
            {
                Interlocked.Exchange(ref untrusted, 1); // the server ignored the date parameter
                await stop.CancelAsync().ConfigureAwait(false);
                return null;
            }

            var paged = await PageAsync(client, page, search.Type, _options.MaxResourcesPerType, stop.Token,
                offset => client.SearchAsync(Clone(sliceQuery).Add("_offset", offset.ToString(CultureInfo.InvariantCulture)), search.Type, stop.Token),
                pageBudget, gate).ConfigureAwait(false);
            return paged.Error is null ? paged : paged with { FailedSlice = slice.Label };
        }

        var workers = new List<System.Threading.Tasks.Task> { WorkAsync() };
        for (var i = 1; i < Math.Min(slices.Count, _options.MaxConcurrency); i++)
        {
            workers.Add(ExtraWorkerAsync());
        }

        await workers[0].ConfigureAwait(false);
        await drained.CancelAsync().ConfigureAwait(false);
        await System.Threading.Tasks.Task.WhenAll(workers).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (untrusted != 0)
        {
            return null;
        }

        var resources = new List<Resource>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in first.Entry)
        {
            if (entry.Resource is { Id.Length: > 0 } resource && resource is not OperationOutcome && seen.Add($"{resource.TypeName}/{resource.Id}"))
            {
                resources.Add(resource);
            }
        }

        var pages = 1;
        var capped = false;
        Exception? error = null;
        string? failedSlice = null;
        foreach (var (slice, paged) in results.OrderBy(r => slices.IndexOf(r.Slice)))
        {
            pages += paged.Pages;
            capped |= paged.Capped;
            if (paged.Error is not null && error is null)
            {
                error = paged.Error;
                failedSlice = paged.FailedSlice;
            }

            resources.AddRange(paged.Resources.Where(r => seen.Add($"{r.TypeName}/{r.Id}")));
        }

        var matches = resources.Count(r => r.TypeName == search.Type);
        if (matches > _options.MaxResourcesPerType)
        {
            var keep = 0;
            resources.RemoveAll(r => r.TypeName == search.Type && ++keep > _options.MaxResourcesPerType);
            matches = _options.MaxResourcesPerType;
            capped = true;
        }

        if (error is null && !capped && first.Total is { } expected && matches < expected)
        {
            return null; // the slices missed something the unsplit search has (e.g. a date the server does not index)
        }

        Interlocked.Increment(ref _lastSplitSearches);
        return new Paged(resources, matches, pages, capped, error, failedSlice);
    }

    /// <summary>The element a section's date search parameter indexes (dateTime, instant or Period).</summary>
    internal static DataType? DateElement(Resource resource) => ContextSections.DateElement(resource);

    /// <summary>One part of a split search: dates from <see cref="From"/> (inclusive) to <see cref="Before"/>
    /// (exclusive), either open; or the items without a date.</summary>
    private sealed record DateSlice(DateOnly? From, DateOnly? Before, bool Missing)
    {
        public string Label => Missing ? "items without a date"
            : From is null ? $"dates before {Before:yyyy-MM-dd}"
            : Before is null ? $"dates from {From:yyyy-MM-dd}"
            : $"dates from {From:yyyy-MM-dd} to before {Before:yyyy-MM-dd}";

        /// <summary>Whether a returned item can belong here; a point date outside the range (by more than a day, for
        /// time zones) means the server ignored the parameter. Periods are not checked (they may overlap the range).</summary>
        public bool Holds(Resource resource)
        {
            var element = DateElement(resource);
            if (Missing)
            {
                return FhirValues.ToDateTimeOffset(element) is null;
            }

            if (element is not (FhirDateTime or Instant) || FhirValues.ToDateTimeOffset(element) is not { } date)
            {
                return true;
            }

            var day = DateOnly.FromDateTime(date.UtcDateTime);
            return (From is not { } from || day >= from.AddDays(-1)) && (Before is not { } before || day <= before);
        }
    }

    /// <summary>Collects a search's pages: follows <c>next</c> until none, <see cref="FhirOptions.MaxPages"/> or
    /// <paramref name="maxMatches"/>; a failing page ends the loop and is returned with what came before.</summary>
    private async Task<Paged> PageAsync(FhirClient client, Bundle first, string type, int maxMatches, CancellationToken cancellationToken,
        Func<int, Task<Bundle?>>? fetchOffset = null, int? maxPages = null, SemaphoreSlim? gate = null)
    {
        var pageLimit = maxPages ?? _options.MaxPages;
        NextPagePrefetch? prefetch = null;
        var firstMatches = _options.PrefetchPages ? Matches<Resource>(first).Count() : 0;
        if (_options.PrefetchPages
            && NextPagePrefetch.PredictLinks(first, firstMatches, Math.Min(pageLimit, (maxMatches / Math.Max(1, firstMatches)) + 1)) is { Count: > 1 } links)
        {
            prefetch = new NextPagePrefetch(links, CreateClient, gate, _options.MaxConcurrency, cancellationToken);
        }

        try
        {
            return await PageAsync(client, first, type, maxMatches, pageLimit, prefetch, fetchOffset, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (prefetch is not null)
            {
                await prefetch.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<Paged> PageAsync(FhirClient client, Bundle first, string type, int maxMatches, int pageLimit, NextPagePrefetch? prefetch,
        Func<int, Task<Bundle?>>? fetchOffset, CancellationToken cancellationToken)
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

            if (pages >= pageLimit || matches >= maxMatches)
            {
                return new Paged(resources, matches, pages, Capped: true, Error: null);
            }

            try
            {
                // No next link although the total says there is more: ask for the rest by _offset (Medplum, HAPI and
                // others support it); a server that ignores it repeats entries we have, which ends the loop above.
                // A prefetched page counts only when it was fetched with exactly the link this page sent.
                var prefetched = next is not null ? prefetch?.TryGet(page.NextLink!.OriginalString) : null;
                if (prefetched is null && next is not null)
                {
                    prefetch?.Stop(); // the links did not follow the predicted pattern: stop guessing
                }

                Bundle? fetched = null;
                var have = false;
                if (prefetched is not null)
                {
                    try
                    {
                        fetched = await prefetched.ConfigureAwait(false);
                        have = true;
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // guessing was stopped (or the guess timed out) before this page came: fetch it by its link
                    }
                }

                page = have
                    ? fetched
                    : next is not null
                        ? await client.ContinueAsync(page, ct: cancellationToken).ConfigureAwait(false)
                        : await fetchOffset!(matches).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                LogTypeFailed(_logger, type, ex.GetType().Name, StatusOf(ex));
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
                && Hl7.Fhir.Model.Id.IsValidValue(key[(type.Length + 1)..]))
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
            if (type == "Binary")
            {
                foreach (var id in ids.Take(50))
                {
                    tasks.Add(ReadOneAsync<Binary>($"Binary/{id}", cancellationToken));
                }
            }
            else
            {
                foreach (var chunk in ids.Chunk(50))
                {
                    tasks.Add(SearchByIdsAsync(type, chunk, cancellationToken));
                }
            }
        }

        foreach (var found in await System.Threading.Tasks.Task.WhenAll(tasks).ConfigureAwait(false))
        {
            foreach (var resource in found)
            {
                if (seen.Add($"{resource.TypeName}/{resource.Id}"))
                {
                    resources.Add(resource);
                }
            }
        }
    }

    private async Task<IReadOnlyList<Resource>> SearchByIdsAsync(string type, string[] ids, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        try
        {
            var bundle = await client.SearchAsync(new SearchParams().Add("_id", string.Join(',', ids)).LimitTo(ids.Length), type, cancellationToken).ConfigureAwait(false);
            return bundle is null ? [] : (await PageAsync(client, bundle, type, ids.Length, cancellationToken).ConfigureAwait(false)).Resources;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogTypeFailed(_logger, type, ex.GetType().Name, StatusOf(ex));
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
            LogTypeFailed(_logger, typeof(T).Name, ex.GetType().Name, StatusOf(ex));
            return [];
        }
    }

    /// <summary>The ongoing encounters of the listed patients in one search (comma = OR), for the list's
    /// location and admission columns. Failure only costs those columns.</summary>
    private async Task<IReadOnlyList<Resource>> OngoingEncountersAsync(FhirClient client, IEnumerable<string> patientIds, CancellationToken cancellationToken)
    {
        var ids = patientIds.ToList();
        if (ids.Count == 0)
        {
            return [];
        }

        try
        {
            var query = new SearchParams()
                .Add("patient", string.Join(',', ids))
                .Add("status", "in-progress,onleave,arrived,triaged")
                .LimitTo(_options.PageSize);
            var bundle = await client.SearchAsync(query, "Encounter", cancellationToken).ConfigureAwait(false);
            return Matches<Encounter>(bundle).ToList<Resource>();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogTypeFailed(_logger, "Encounter", ex.GetType().Name, StatusOf(ex));
            return [];
        }
    }

    private static SearchParams Clone(SearchParams query)
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

    private DateTimeOffset? WindowStart() =>
        _options.WindowDays > 0 ? _time.GetUtcNow().AddDays(-_options.WindowDays) : null;

    private FhirClient CreateClient() => CreateFhirClient(_httpClientFactory, _options, _baseUrl);

    /// <summary>The stock client's parser settings: the product's <see cref="FhirBundleReader.ReadOptions"/> (for the
    /// calls <see cref="PooledReadFhirClient"/> leaves to the stock client).</summary>
    internal static readonly IFhirSerializationEngine ReadEngine = FhirSerializationEngineFactory.Custom(
        ModelInfo.ModelInspector, FhirBundleReader.ReadOptions, new DeserializerSettings().UsingMode(DeserializationMode.Recoverable) with { Validator = null });

    /// <summary>
    /// The FhirClient every call to the configured FHIR server uses (reading the record, writing back): JSON, lenient
    /// parsing, and the named HttpClient <see cref="HttpClientName"/> with its authentication and resilience handler;
    /// searches and pages are read from a pooled buffer (<see cref="PooledReadFhirClient"/>).
    /// </summary>
    internal static FhirClient CreateFhirClient(IHttpClientFactory httpClientFactory, FhirOptions options, Uri baseUrl)
    {
        var http = httpClientFactory.CreateClient(HttpClientName);
        var settings = new FhirClientSettings
        {
            PreferredFormat = ResourceFormat.Json,
            VerifyFhirVersion = false,
            // The resilience handler owns the timeouts (per attempt and overall); this is only a backstop.
            Timeout = checked(options.TimeoutSeconds * 1000 * (options.MaxRetries + 2) + options.MaxRetryAfterSeconds * 1000 * options.MaxRetries),
            SerializationEngine = ReadEngine,
        };
        return new PooledReadFhirClient(baseUrl, http, settings, TimeSpan.FromSeconds(options.TimeoutSeconds));
    }

    /// <summary>The configured base URL with one trailing slash (relative searches resolve below it).</summary>
    internal static Uri BaseUrl(FhirOptions options) =>
        Uri.TryCreate(options.ServerBaseUrl, UriKind.Absolute, out var url)
            ? new Uri(url.ToString().TrimEnd('/') + "/")
            : throw new ArgumentException("Fhir:ServerBaseUrl must be an absolute URL for the Server source.", nameof(options));

    /// <summary>A clear, identifier-free reason for a failed request.</summary>
    internal string Describe(Exception ex) => Innermost(ex) switch
    {
        FhirOperationException { Status: HttpStatusCode.Unauthorized } => "the FHIR server did not accept our credentials (401).",
        FhirOperationException { Status: HttpStatusCode.Forbidden } => "the FHIR server refused access (403).",
        FhirOperationException { Status: HttpStatusCode.NotFound } => "the FHIR server does not offer this search (404).",
        FhirOperationException { Status: HttpStatusCode.Gone } => "the FHIR server says this data is gone (410): it was deleted or moved.",
        FhirOperationException { Status: HttpStatusCode.TooManyRequests } => "the FHIR server is rate-limiting requests (429) and did not recover in time.",
        // Firely reports an unreadable body of a successful answer as an "operation exception" with the 2xx status.
        FhirOperationException { Status: >= HttpStatusCode.OK and < HttpStatusCode.Ambiguous } => "the FHIR server's answer could not be read (malformed FHIR JSON).",
        FhirOperationException f => $"server returned {(int)f.Status} ({f.Status}).",
        FhirAuthenticationException a => $"no access token: {a.Message}.",
        Polly.CircuitBreaker.BrokenCircuitException => "the FHIR server is failing repeatedly; requests are paused for a few seconds.",
        Polly.Timeout.TimeoutRejectedException or OperationCanceledException or TimeoutException =>
            $"the FHIR server did not answer within {_options.TimeoutSeconds} s.",
        HttpRequestException => "the FHIR server could not be reached.",
        _ => "the FHIR server's answer could not be read.",
    };

    /// <summary>The authentication failure inside whatever wrapped it, else the exception itself.</summary>
    private static Exception Innermost(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is FhirAuthenticationException)
            {
                return e;
            }
        }

        return ex;
    }

    private static int? StatusOf(Exception ex) => ex is FhirOperationException f ? (int)f.Status : null;

    private static IEnumerable<T> Matches<T>(Bundle? bundle) where T : Resource =>
        bundle?.Entry
            .Where(FhirValues.IsMatch)
            .Select(e => e.Resource)
            .OfType<T>()
            .Where(r => !string.IsNullOrEmpty(r.Id))
        ?? [];

    internal static string SectionLabel(string section) => ContextSections.Label(section);

    private static string Plural(string type) => ContextSections.Plural(type);

    internal sealed record SectionSearch(string Type, string[] Sections, string PatientParameter, string? DateParameter, string[] Includes);

    private sealed record TypeResult(IReadOnlyList<Resource> Resources, IReadOnlyList<SectionStatus> Failures);

    private sealed record Paged(List<Resource> Resources, int Matches, int Pages, bool Capped, Exception? Error, string? FailedSlice = null);

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
    private static partial void LogTypeFailed(ILogger logger, string resourceType, string exceptionType, int? status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FHIR search for {ResourceType} stopped at the limit after {Pages} pages")]
    private static partial void LogPageLimit(ILogger logger, string resourceType, int pages);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Patient/$everything failed ({ExceptionType}, HTTP {Status}); falling back to section searches")]
    private static partial void LogEverythingFailed(ILogger logger, string exceptionType, int? status);
}

/// <summary>The record source could not load the patient at all; the message is safe to show (no identifiers).</summary>
public sealed class FhirSourceException(string message, Exception? inner = null) : Exception(message, inner);

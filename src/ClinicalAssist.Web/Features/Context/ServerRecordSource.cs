using System.Globalization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Patients, the rounds list and records from a FHIR R4 server, through Firely's stock client
/// (<see cref="FhirClientFactory"/>: JSON, the non-validating parser, the named HttpClient with authorization,
/// retry with Retry-After, circuit breaker and timeouts configured in DI). A record is read by
/// <see cref="FhirRecordReader"/> (section searches in parallel, or Patient/$everything).</summary>
/// <remarks>URLs (which carry patient ids and search terms) and tokens are never logged. The source is a singleton
/// shared by every chart load: it keeps no state about any one request.</remarks>
public sealed class ServerRecordSource : IPatientRecordSource
{
    /// <summary>The named HttpClient (see <see cref="FhirClientFactory.HttpClientName"/>).</summary>
    public const string HttpClientName = FhirClientFactory.HttpClientName;

    private readonly FhirOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<ServerRecordSource> _logger;
    private readonly FhirRecordReader _reader;

    public ServerRecordSource(IHttpClientFactory httpClientFactory, IOptions<FhirOptions> options, TimeProvider time, ILogger<ServerRecordSource> logger)
    {
        ArgumentNullException.ThrowIfNull(httpClientFactory);
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _ = FhirClientFactory.BaseUrl(_options); // fails at once on a bad base URL
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _reader = new FhirRecordReader(httpClientFactory, _options, _time, _logger);
    }

    public string Name => "Server";

    /// <summary>Rows asked per page of a patient-list or census search.</summary>
    private const int ListPageSize = 100;

    /// <summary>Patients by name, identifier (MRN) or birth date (yyyy-MM-dd); the first page of each search.</summary>
    public async Task<IReadOnlyList<PatientSummary>> SearchPatientsAsync(string? query, CancellationToken cancellationToken)
    {
        using var client = CreateClient();
        var patients = new Dictionary<string, Patient>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(query))
        {
            AddPatients(await client.SearchAsync(new SearchParams().LimitTo(ListPageSize), "Patient", cancellationToken).ConfigureAwait(false));
        }
        else
        {
            var term = query.Trim();
            if (DateOnly.TryParseExact(term, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            {
                AddPatients(await client.SearchAsync(new SearchParams().Add("birthdate", term).LimitTo(ListPageSize), "Patient", cancellationToken).ConfigureAwait(false));
            }
            else
            {
                using var identifierClient = CreateClient();
                var byName = client.SearchAsync(new SearchParams().Add("name", term).LimitTo(ListPageSize), "Patient", cancellationToken);
                var byIdentifier = identifierClient.SearchAsync(new SearchParams().Add("identifier", term).LimitTo(ListPageSize), "Patient", cancellationToken);
                AddPatients(await byName.ConfigureAwait(false));
                AddPatients(await byIdentifier.ConfigureAwait(false));
            }
        }

        var encounters = await OngoingEncountersAsync(patients.Keys, cancellationToken).ConfigureAwait(false);
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
                var query = new SearchParams().Add("status", "in-progress").LimitTo(ListPageSize);
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
                    var paged = await _reader.PageAsync(client, first, "Encounter", _options.MaxResourcesPerType, cancellationToken,
                        offset => client.SearchAsync(FhirRecordReader.Clone(query).Add("_offset", offset.ToString(CultureInfo.InvariantCulture)), "Encounter", cancellationToken)).ConfigureAwait(false);
                    if (paged.Error is { } error)
                    {
                        throw new FhirSourceException("The rounds list could not be loaded completely: " + _reader.Describe(error), error);
                    }

                    encounters.AddRange(paged.Resources.OfType<Encounter>());
                    patientIds.AddRange(encounters.OfType<Encounter>().Select(e => FhirValues.ReferenceKey(e.Subject)).OfType<string>()
                        .Where(k => k.StartsWith("Patient/", StringComparison.Ordinal)).Select(k => k[8..]).Distinct());
                }

                break;
            }
        }

        var patients = new List<Patient>();
        foreach (var chunk in patientIds.Where(Hl7.Fhir.Model.Id.IsValidValue).Chunk(_options.LookupBatchSize))
        {
            var found = await _reader.SearchByIdsAsync("Patient", chunk, cancellationToken).ConfigureAwait(false);
            patients.AddRange(found.OfType<Patient>());
        }

        if (encounters.Count == 0 && patients.Count > 0)
        {
            encounters.AddRange(await OngoingEncountersAsync(patients.Select(p => p.Id!), cancellationToken).ConfigureAwait(false));
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

    public Task<PatientRecord?> GetRecordAsync(string patientId, IProgress<SectionStatus>? progress, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(patientId) || !Hl7.Fhir.Model.Id.IsValidValue(patientId)
            ? System.Threading.Tasks.Task.FromResult<PatientRecord?>(null) // not a FHIR id: never let it become part of a URL
            : _reader.ReadAsync(patientId, progress, cancellationToken);

    /// <summary>The ongoing encounters of the listed patients, for the list's location and admission columns: searched
    /// by <c>subject=Patient/…</c> (the element Encounter has; <c>patient</c> is a derived parameter some servers run
    /// slowly: 84 ids in one <c>patient=</c> search took 11 s on one server, <c>subject=</c> 0.9 s), in batches of
    /// <see cref="FhirOptions.LookupBatchSize"/> run together. A failed batch only costs its rows' columns.</summary>
    private async Task<IReadOnlyList<Resource>> OngoingEncountersAsync(IEnumerable<string> patientIds, CancellationToken cancellationToken)
    {
        var batches = patientIds.Distinct(StringComparer.Ordinal).Chunk(_options.LookupBatchSize).ToList();
        var found = await System.Threading.Tasks.Task.WhenAll(batches.Select(batch => _reader.BatchAsync(batch, "Encounter", async (client, ids) =>
        {
            var query = new SearchParams()
                .Add("subject", string.Join(',', ids.Select(id => "Patient/" + id)))
                .Add("status", "in-progress,onleave,arrived,triaged")
                .LimitTo(ListPageSize);
            var bundle = await client.SearchAsync(query, "Encounter", cancellationToken).ConfigureAwait(false);
            return Matches<Encounter>(bundle).ToList<Resource>();
        }, cancellationToken))).ConfigureAwait(false);
        return [.. found.SelectMany(f => f)];
    }

    private FhirClient CreateClient() => _reader.CreateClient();

    private static IEnumerable<T> Matches<T>(Bundle? bundle) where T : Resource =>
        bundle?.Entry
            .Where(FhirValues.IsMatch)
            .Select(e => e.Resource)
            .OfType<T>()
            .Where(r => !string.IsNullOrEmpty(r.Id))
        ?? [];
}

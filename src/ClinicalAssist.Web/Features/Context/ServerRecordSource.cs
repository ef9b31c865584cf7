using System.Net;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Reads patients from a FHIR R4 server with Firely's <see cref="FhirClient"/> over the named
/// HttpClient <see cref="HttpClientName"/> (timeout and bearer token configured in DI).</summary>
/// <remarks>A record is the Patient read plus one paged search per clinical resource type, run in parallel.
/// A type that fails becomes a <see cref="SectionState.Failed"/> section; the rest of the record still loads.
/// URLs (which carry patient ids and search terms) and tokens are never logged.</remarks>
public sealed partial class ServerRecordSource : IPatientRecordSource
{
    public const string HttpClientName = "fhir";

    /// <summary>Searched per record: resource type, the context sections it feeds, and extra includes.</summary>
    private static readonly (string Type, string[] Sections, string[] Includes)[] RecordSearches =
    [
        ("Encounter", ["Encounter"], []),
        ("Condition", ["Conditions"], []),
        ("Observation", ["Labs", "Vitals"], []),
        ("MedicationRequest", ["Medications"], ["MedicationRequest:medication"]),
        ("MedicationStatement", ["Medications"], ["MedicationStatement:medication"]),
        ("AllergyIntolerance", ["Allergies"], []),
        ("DocumentReference", ["Notes"], []),
    ];

    private readonly IHttpClientFactory _httpClientFactory;
    private readonly FhirOptions _options;
    private readonly Uri _baseUrl;
    private readonly TimeProvider _time;
    private readonly ILogger<ServerRecordSource> _logger;

    public ServerRecordSource(IHttpClientFactory httpClientFactory, IOptions<FhirOptions> options, TimeProvider time, ILogger<ServerRecordSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _httpClientFactory = httpClientFactory ?? throw new ArgumentNullException(nameof(httpClientFactory));
        _options = options.Value;
        _baseUrl = Uri.TryCreate(_options.ServerBaseUrl, UriKind.Absolute, out var url)
            ? url
            : throw new ArgumentException("Fhir:ServerBaseUrl must be an absolute URL for the Server source.", nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public string Name => "Server";

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
            var byName = client.SearchAsync(new SearchParams().Add("name", term).LimitTo(_options.PageSize), "Patient", cancellationToken);
            var byIdentifier = client.SearchAsync(new SearchParams().Add("identifier", term).LimitTo(_options.PageSize), "Patient", cancellationToken);
            AddPatients(await byName.ConfigureAwait(false));
            AddPatients(await byIdentifier.ConfigureAwait(false));
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

    public async Task<PatientRecord?> GetRecordAsync(string patientId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(patientId) || !Hl7.Fhir.Model.Id.IsValidValue(patientId))
        {
            return null; // not a FHIR id: never let it become part of a URL
        }

        Patient? patient;
        using (var client = CreateClient())
        {
            try
            {
                patient = await client.ReadAsync<Patient>($"Patient/{patientId}", ct: cancellationToken).ConfigureAwait(false);
            }
            catch (FhirOperationException ex) when (ex.Status is HttpStatusCode.NotFound or HttpStatusCode.Gone)
            {
                return null;
            }
        }

        if (patient is null)
        {
            return null;
        }

        var searches = RecordSearches.Select(s => SearchTypeAsync(s.Type, s.Sections, s.Includes, patientId, cancellationToken)).ToArray();
        var results = await System.Threading.Tasks.Task.WhenAll(searches).ConfigureAwait(false);

        var resources = new List<Resource>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var failures = new List<SectionStatus>();
        foreach (var result in results)
        {
            failures.AddRange(result.Failures);
            foreach (var resource in result.Resources)
            {
                if (seen.Add($"{resource.TypeName}/{resource.Id}"))
                {
                    resources.Add(resource);
                }
            }
        }

        return new PatientRecord(patient, resources, failures);
    }

    private async Task<TypeResult> SearchTypeAsync(string type, string[] sections, string[] includes, string patientId, CancellationToken cancellationToken)
    {
        // One FhirClient per search: the client keeps per-call state (LastResult), the HttpClient underneath is shared.
        using var client = CreateClient();
        var resources = new List<Resource>();
        try
        {
            var query = new SearchParams().Add("patient", patientId).LimitTo(_options.PageSize);
            foreach (var include in includes)
            {
                query.Include(include);
            }

            var page = await client.SearchAsync(query, type, cancellationToken).ConfigureAwait(false);
            for (var pages = 1; page is not null; pages++)
            {
                resources.AddRange(page.Entry.Select(e => e.Resource).OfType<Resource>().Where(r => !string.IsNullOrEmpty(r.Id) && r is not OperationOutcome));
                if (pages >= _options.MaxPages)
                {
                    if (page.NextLink is not null)
                    {
                        LogPageLimit(_logger, type, _options.MaxPages);
                        return new TypeResult(resources, sections.Select(s => new SectionStatus(s, SectionState.Failed, 0,
                            $"Only the first {_options.MaxPages} pages of {Plural(type)} were loaded; the list may be incomplete.")).ToList());
                    }

                    break;
                }

                page = page.NextLink is null ? null : await client.ContinueAsync(page, ct: cancellationToken).ConfigureAwait(false);
            }

            return new TypeResult(resources, []);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is FhirOperationException or HttpRequestException or OperationCanceledException or FormatException
                                       or Hl7.Fhir.Serialization.DeserializationFailedException or Hl7.Fhir.ElementModel.StructuralTypeException)
        {
            var message = ex switch
            {
                FhirOperationException f => $"{Plural(type)} could not be loaded: the FHIR server answered {(int)f.Status} ({f.Status}).",
                OperationCanceledException => $"{Plural(type)} could not be loaded: the FHIR server did not answer within {_options.TimeoutSeconds} s.",
                HttpRequestException => $"{Plural(type)} could not be loaded: the FHIR server could not be reached.",
                _ => $"{Plural(type)} could not be loaded: the FHIR server's answer could not be read.",
            };
            LogTypeFailed(_logger, type, ex.GetType().Name, ex is FhirOperationException fo ? (int)fo.Status : null);
            return new TypeResult([], sections.Select(s => new SectionStatus(s, SectionState.Failed, 0, message)).ToList());
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
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is FhirOperationException or HttpRequestException or OperationCanceledException or FormatException)
        {
            LogTypeFailed(_logger, "Encounter", ex.GetType().Name, ex is FhirOperationException fo ? (int)fo.Status : null);
            return [];
        }
    }

    private FhirClient CreateClient()
    {
        var http = _httpClientFactory.CreateClient(HttpClientName);
        var settings = new FhirClientSettings
        {
            PreferredFormat = ResourceFormat.Json,
            VerifyFhirVersion = false,
            Timeout = checked(_options.TimeoutSeconds * 1000),
        };
        return new FhirClient(_baseUrl, http, settings);
    }

    private static IEnumerable<T> Matches<T>(Bundle? bundle) where T : Resource =>
        bundle?.Entry
            .Where(e => e.Search?.Mode is null or Bundle.SearchEntryMode.Match)
            .Select(e => e.Resource)
            .OfType<T>()
            .Where(r => !string.IsNullOrEmpty(r.Id))
        ?? [];

    private static string Plural(string type) => type switch
    {
        "Encounter" => "Encounters",
        "Condition" => "Conditions",
        "Observation" => "Observations",
        "MedicationRequest" => "Medication orders",
        "MedicationStatement" => "Medication statements",
        "AllergyIntolerance" => "Allergies",
        "DocumentReference" => "Clinical notes",
        _ => type,
    };

    private sealed record TypeResult(IReadOnlyList<Resource> Resources, IReadOnlyList<SectionStatus> Failures);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FHIR search for {ResourceType} failed ({ExceptionType}, HTTP {Status})")]
    private static partial void LogTypeFailed(ILogger logger, string resourceType, string exceptionType, int? status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FHIR search for {ResourceType} stopped at the page limit ({MaxPages})")]
    private static partial void LogPageLimit(ILogger logger, string resourceType, int maxPages);
}

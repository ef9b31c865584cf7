using System.Text.Json;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Serves patients from a folder of FHIR R4 Bundle JSON files: Synthea transaction bundles (urn:uuid
/// fullUrls and references) or collection bundles with "Type/id" references.</summary>
/// <remarks>
/// <para>The patient index is built once, on first use, by scanning each file with <see cref="JsonDocument"/> and
/// deserializing only the Patient and ongoing Encounter entries (a multi-MB Synthea file is mostly Claims and
/// Observations). Files added later are seen after a restart.</para>
/// <para>Records are re-read from disk on each request rather than cached: a record is read when a clinician
/// opens a patient, a 2 MB bundle parses in tens of milliseconds, a parsed POCO graph takes several times the
/// file's size in memory, and re-reading always reflects the file as it is now.</para>
/// <para>File names (Synthea names files after the patient) and patient identifiers are never logged.</para>
/// </remarks>
public sealed partial class DirectoryRecordSource : IPatientRecordSource
{
    private static readonly string[] OngoingStatuses = ["in-progress", "onleave", "arrived", "triaged"];

    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly ILogger<DirectoryRecordSource> _logger;
    private readonly SemaphoreSlim _indexGate = new(1, 1);
    private volatile IReadOnlyDictionary<string, IndexedPatient>? _index;

    public DirectoryRecordSource(IOptions<FhirOptions> options, TimeProvider time, ILogger<DirectoryRecordSource> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _directory = options.Value.DirectoryPath is { Length: > 0 } path
            ? Path.GetFullPath(path)
            : throw new ArgumentException("Fhir:DirectoryPath is required for the Directory source.", nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public string Name => "Directory";

    public async Task<IReadOnlyList<PatientSummary>> SearchPatientsAsync(string? query, CancellationToken cancellationToken)
    {
        var index = await GetIndexAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        return index.Values
            .Select(p => PatientSummaries.Create(p.Patient, p.SummaryResources, now))
            .Where(s => PatientSummaries.Matches(s, query))
            .OrderBy(s => s.DisplayName, StringComparer.OrdinalIgnoreCase)
            .ThenBy(s => s.Id, StringComparer.Ordinal)
            .ToList();
    }

    public async Task<PatientRecord?> GetRecordAsync(string patientId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(patientId))
        {
            return null;
        }

        var index = await GetIndexAsync(cancellationToken).ConfigureAwait(false);
        if (!index.TryGetValue(patientId, out var indexed))
        {
            return null;
        }

        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(indexed.FilePath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            LogFileVanished(_logger);
            return null;
        }

        var unreadable = new Dictionary<string, int>(StringComparer.Ordinal);
        var entries = ReadEntries(bytes, out var skipped, unreadable);
        if (skipped > 0)
        {
            LogSkippedEntries(_logger, skipped);
        }

        FhirBundleReader.ResolveUrnReferences(entries);

        var patient = entries.Select(e => e.Resource).OfType<Patient>().FirstOrDefault(p => p.Id == patientId);
        if (patient is null)
        {
            return null; // the file changed since it was indexed
        }

        // A bundle may hold several patients: keep shared resources (Practitioner, Medication, ...) and this
        // patient's own, never another patient's.
        var resources = entries
            .Select(e => e.Resource)
            .Where(r => r is not Patient && FhirValues.IsForPatient(OwnerReference(r), patientId))
            .ToList();
        return new PatientRecord(patient, resources, []) { Unreadable = unreadable };
    }

    private async Task<IReadOnlyDictionary<string, IndexedPatient>> GetIndexAsync(CancellationToken cancellationToken)
    {
        if (_index is { } ready)
        {
            return ready;
        }

        await _indexGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _index ??= await BuildIndexAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _indexGate.Release();
        }
    }

    private async Task<IReadOnlyDictionary<string, IndexedPatient>> BuildIndexAsync(CancellationToken cancellationToken)
    {
        var index = new Dictionary<string, IndexedPatient>(StringComparer.Ordinal);
        int files = 0, unreadable = 0, duplicates = 0;
        foreach (var path in Directory.EnumerateFiles(_directory, "*.json", SearchOption.TopDirectoryOnly).Order(StringComparer.Ordinal))
        {
            files++;
            try
            {
                var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
                foreach (var patient in IndexFile(path, bytes))
                {
                    if (!index.TryAdd(patient.Patient.Id!, patient))
                    {
                        duplicates++;
                    }
                }
            }
            catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
            {
                unreadable++;
            }
        }

        LogIndexed(_logger, index.Count, files, unreadable, duplicates);
        return index;
    }

    /// <summary>Patients of one file, with the few resources the patient list needs.</summary>
    private static List<IndexedPatient> IndexFile(string path, byte[] bytes)
    {
        using var document = FhirBundleReader.Parse(bytes);
        var patients = new List<(string? FullUrl, Resource Resource)>();
        var summaryResources = new List<(string? FullUrl, Resource Resource)>();
        foreach (var entry in FhirBundleReader.Entries(document))
        {
            var wanted = entry.ResourceType switch
            {
                "Patient" => true,
                "Location" => true,
                "Encounter" => entry.Json.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.String
                    && OngoingStatuses.Contains(status.GetString()),
                _ => false,
            };
            if (!wanted || FhirBundleReader.Deserialize(entry) is not { } resource)
            {
                continue;
            }

            (resource is Patient ? patients : summaryResources).Add((entry.FullUrl, resource));
        }

        FhirBundleReader.ResolveUrnReferences([.. patients, .. summaryResources]);
        return patients
            .Select(p => (Patient)p.Resource)
            .Where(p => !string.IsNullOrEmpty(p.Id))
            .Select(p => new IndexedPatient(
                path,
                p,
                summaryResources.Select(r => r.Resource).Where(r => FhirValues.IsForPatient(OwnerReference(r), p.Id!)).ToList()))
            .ToList();
    }

    private static List<(string? FullUrl, Resource Resource)> ReadEntries(byte[] bytes, out int skipped, Dictionary<string, int> unreadable)
    {
        skipped = 0;
        using var document = FhirBundleReader.Parse(bytes);
        var entries = new List<(string? FullUrl, Resource Resource)>();
        foreach (var entry in FhirBundleReader.Entries(document))
        {
            if (FhirBundleReader.Deserialize(entry) is { } resource)
            {
                entries.Add((entry.FullUrl, resource));
            }
            else
            {
                skipped++;
                var type = string.IsNullOrWhiteSpace(entry.ResourceType) ? "unknown" : entry.ResourceType;
                unreadable[type] = unreadable.GetValueOrDefault(type) + 1;
            }
        }

        return entries;
    }

    /// <summary>The resource's top-level "subject" or "patient" reference, when it has one.</summary>
    private static ResourceReference? OwnerReference(Resource resource)
    {
        foreach (var (name, value) in resource.EnumerateElements())
        {
            if (name is "subject" or "patient" && value is ResourceReference reference)
            {
                return reference;
            }
        }

        return null;
    }

    private sealed record IndexedPatient(string FilePath, Patient Patient, IReadOnlyList<Resource> SummaryResources);

    [LoggerMessage(Level = LogLevel.Information, Message = "FHIR directory indexed: {PatientCount} patients from {FileCount} files ({UnreadableCount} unreadable, {DuplicateCount} duplicate patient ids ignored)")]
    private static partial void LogIndexed(ILogger logger, int patientCount, int fileCount, int unreadableCount, int duplicateCount);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Count} unreadable entries while reading a FHIR bundle")]
    private static partial void LogSkippedEntries(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An indexed FHIR bundle file no longer exists; restart to re-index the folder")]
    private static partial void LogFileVanished(ILogger logger);
}

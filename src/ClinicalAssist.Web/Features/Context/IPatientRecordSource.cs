namespace ClinicalAssist.Web.Features.Context;

/// <summary>Where patient records come from: Demo (generated in-process), Directory (Bundle JSON files),
/// Server (a FHIR R4 server through Firely's FhirClient). The seam every later FHIR work deepens.</summary>
public interface IPatientRecordSource
{
    /// <summary>Short name shown in the UI and audit, e.g. "Demo".</summary>
    string Name { get; }

    /// <summary>Patients matching <paramref name="query"/> (name or MRN, case-insensitive); all when empty.</summary>
    Task<IReadOnlyList<PatientSummary>> SearchPatientsAsync(string? query, CancellationToken cancellationToken);

    /// <summary>The patient's record, or null when the patient does not exist.</summary>
    Task<PatientRecord?> GetRecordAsync(string patientId, CancellationToken cancellationToken);

    /// <summary>The rounds list (census): patients currently admitted. Sources without a configured census list
    /// everyone with an ongoing encounter, ordered by location.</summary>
    async Task<IReadOnlyList<PatientSummary>> GetCensusAsync(CancellationToken cancellationToken) =>
        (await SearchPatientsAsync(null, cancellationToken).ConfigureAwait(false))
            .Where(p => p.AdmittedAt is not null || p.Location is not null)
            .OrderBy(p => p.Location ?? "\uffff", StringComparer.OrdinalIgnoreCase)
            .ThenBy(p => p.DisplayName, StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>The record, reporting each section as it finishes loading (sources that load everything at once
    /// report nothing and the caller shows all sections done together).</summary>
    Task<PatientRecord?> GetRecordAsync(string patientId, IProgress<SectionStatus>? progress, CancellationToken cancellationToken) =>
        GetRecordAsync(patientId, cancellationToken);
}

using ClinicalAssist.Web.Features.DemoData;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>Serves the synthetic demo patients from memory. They are generated once, on first use, anchored at
/// 07:00 UTC of the day the app first needs them, so "admitted 2 days ago" reads right on the ward round.</summary>
/// <remarks>The returned FHIR resources are shared between callers: treat them as read-only.</remarks>
public sealed class DemoRecordSource : IPatientRecordSource
{
    private readonly Lazy<Dictionary<string, DemoPatient>> _patients;
    private readonly TimeProvider _time;

    public DemoRecordSource(IOptions<FhirOptions> options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        var count = options.Value.DemoPatientCount;
        _patients = new Lazy<Dictionary<string, DemoPatient>>(() => Generate(count), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public string Name => "Demo";

    public Task<IReadOnlyList<PatientSummary>> SearchPatientsAsync(string? query, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var now = _time.GetUtcNow();
        IReadOnlyList<PatientSummary> result = _patients.Value.Values
            .Select(p => PatientSummaries.Create(p.Patient, p.Resources, now))
            .Where(s => PatientSummaries.Matches(s, query))
            .OrderBy(s => s.Location ?? "\uffff", StringComparer.OrdinalIgnoreCase)
            .ThenBy(s => s.DisplayName, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return System.Threading.Tasks.Task.FromResult(result);
    }

    public Task<PatientRecord?> GetRecordAsync(string patientId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var record = !string.IsNullOrEmpty(patientId) && _patients.Value.TryGetValue(patientId, out var p)
            ? new PatientRecord(p.Patient, p.Resources, [])
            : null;
        return System.Threading.Tasks.Task.FromResult(record);
    }

    private Dictionary<string, DemoPatient> Generate(int count)
    {
        var today = _time.GetUtcNow().UtcDateTime.Date;
        var anchor = new DateTimeOffset(today.AddHours(7), TimeSpan.Zero);
        var bundles = DemoPatientGenerator.Generate(new DemoGeneratorOptions { Count = count, Anchor = anchor });

        var patients = new Dictionary<string, DemoPatient>(StringComparer.Ordinal);
        foreach (var bundle in bundles)
        {
            var resources = bundle.Entry.Select(e => e.Resource).OfType<Resource>().ToList();
            foreach (var patient in resources.OfType<Patient>())
            {
                if (string.IsNullOrEmpty(patient.Id))
                {
                    continue;
                }

                patients[patient.Id] = new DemoPatient(patient, resources.Where(r => r is not Patient).ToList());
            }
        }

        return patients;
    }

    private sealed record DemoPatient(Patient Patient, IReadOnlyList<Resource> Resources);
}

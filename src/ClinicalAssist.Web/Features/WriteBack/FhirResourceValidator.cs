using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace ClinicalAssist.Web.Features.WriteBack;

/// <summary>
/// Validates generated resources against the base FHIR R4 specification (Firely.Fhir.Validation with the
/// specification.zip from Hl7.Fhir.Specification.Data.R4). Built once on first use: compiling the core profiles
/// takes a few seconds, later validations are fast.
/// </summary>
public sealed class FhirResourceValidator
{
    private readonly Lazy<Validator> _validator = new(() =>
    {
        var source = new CachedResolver(ZipSource.CreateValidationSource());
        return new Validator(source, new LocalTerminologyService(source));
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Error-level problems ("Composition.status: …"); empty when the resource is valid.</summary>
    public IReadOnlyList<string> Errors(Resource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        OperationOutcome outcome;
        lock (_validator)
        {
            outcome = _validator.Value.Validate(resource);
        }
        return outcome.Issue
            .Where(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal)
            .Select(i => $"{resource.TypeName}{(i.Expression.FirstOrDefault() is { } at ? " " + at : "")}: {i.Details?.Text ?? i.Diagnostics ?? i.Code?.ToString()}")
            .ToList();
    }
}

using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>A DiagnosticReport: its conclusion and the observations it groups (as "Type/Id" references).</summary>
public sealed record ContextDiagnosticReport(
    ResourceRef Source, string Display, string? Loinc, string Status, string? Category, DateTimeOffset? Effective,
    string? Conclusion, IReadOnlyList<string> Results);

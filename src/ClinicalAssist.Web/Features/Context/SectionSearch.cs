using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>One FHIR search a section needs: the resource type, the patient search parameter, the date search
/// parameter (server-side sort newest first, the time window) and the element it indexes, includes, a filter
/// (<c>name=value</c>, e.g. <c>category=laboratory</c>), and the plural used in messages ("only the first 200
/// observations were loaded").</summary>
public sealed record SectionSearch(string Type, string PatientParameter, string Plural, string? DateParameter = null,
    Func<Resource, DataType?>? DateElement = null, string[]? Includes = null, string? Filter = null)
{
    public IReadOnlyList<string> IncludeList => Includes ?? [];

    /// <summary>Type and filter: two sections that declare the same key share one search.</summary>
    public string Key => Filter is null ? Type : Type + "?" + Filter;

    /// <summary>The <c>_sort</c> of a dated search: newest first, so that a search capped at its section's item cap
    /// keeps the items the section shows. Asked when one page holds the cap, or when the search turns out to hold more
    /// than its cap (not otherwise: many items share a date, and a server that pages by <c>_offset</c> over a sort
    /// that is not total — Medplum — repeats and skips items between pages).</summary>
    public string? Sort => DateParameter is null ? null : "-" + DateParameter;
}

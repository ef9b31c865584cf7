using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>The one order of patients on a ward, used by the rounds list and the patient list: by location in natural
/// order ("Bed 2" before "Bed 10"), patients without a location last, then by name.</summary>
public static class BedOrder
{
    public static IReadOnlyList<T> Sort<T>(IEnumerable<T> items, Func<T, PatientSummary> patient) =>
        items.OrderBy(i => patient(i).Location is null ? 1 : 0)
            .ThenBy(i => patient(i).Location ?? "", NaturalComparer.Instance)
            .ThenBy(i => patient(i).DisplayName, StringComparer.OrdinalIgnoreCase)
            .ToList();
}

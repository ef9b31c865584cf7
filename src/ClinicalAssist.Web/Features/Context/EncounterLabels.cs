namespace ClinicalAssist.Web.Features.Context;

/// <summary>What an encounter is called, by its class and status: "Admitted 20 May 2019 14:00 · finished" only for an
/// inpatient stay; "Ambulatory visit 04 Feb 1985 · finished", "Emergency visit …", "Virtual visit …" otherwise.</summary>
public static class EncounterLabels
{
    public static string Describe(ContextEncounter encounter, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(encounter);
        var when = encounter.Start is null ? "(start not recorded)" : ClinicalDates.Short(encounter.Start, now);
        var kind = encounter.Class switch
        {
            "inpatient" => "Admitted",
            "ambulatory" => "Ambulatory visit",
            "emergency" => "Emergency visit",
            "virtual" => "Virtual visit",
            "home health" => "Home health visit",
            "observation" => "Observation stay",
            "short stay" => "Short stay",
            "pre-admission" => "Pre-admission visit",
            var other => char.ToUpperInvariant(other[0]) + other[1..] + " encounter",
        };
        var status = encounter.Status switch
        {
            "in-progress" => "ongoing",
            "onleave" => "on leave",
            var s => s,
        };
        return $"{kind} {when} · {status}";
    }
}

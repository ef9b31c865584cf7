namespace ClinicalAssist.Web.Features.Context;

/// <summary>What became of one resource the record source returned (<see cref="RecordCoverage"/>).</summary>
public enum CoverageOutcome
{
    /// <summary>An item of a section (or the patient of the banner).</summary>
    Shown,

    /// <summary>Used to show another item: a medication's name, a note's text, the ward of an encounter.</summary>
    UsedByShownItem,

    /// <summary>Dated before the configured time window (<see cref="FhirOptions.WindowDays"/>).</summary>
    OutsideWindow,

    /// <summary>Beyond its section's cap (<see cref="FhirOptions.MaxItemsPerSection"/>): the newest are shown.</summary>
    OverCap,

    /// <summary>Nothing to show: no code or value, entered in error or cancelled, another patient's, or unreadable content.</summary>
    Unusable,

    /// <summary>A resource type no section shows (claims, billing, organisations, practitioners…).</summary>
    TypeNotShown,

    /// <summary>The same resource (type and id) more than once in the answer; shown once.</summary>
    Repeated,

    /// <summary>An entry the source could not parse (its type is what the entry claimed).</summary>
    Unreadable,
}

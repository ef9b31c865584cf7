using Hl7.Fhir.Model;
using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Tests.Context;

public sealed class PatientSummariesTests
{
    private static Encounter Visit(string id, Encounter.EncounterStatus? status, string? start) => new()
    {
        Id = id,
        Status = status,
        Period = start is null ? null : new Period { Start = start },
    };

    [Fact]
    public void The_ongoing_encounter_is_in_progress_first_then_the_newest_start_and_the_earlier_one_on_a_tie()
    {
        var encounters = new[]
        {
            Visit("finished-newest", Encounter.EncounterStatus.Finished, "2026-11-20T08:00:00Z"),
            Visit("arrived-newer", Encounter.EncounterStatus.Arrived, "2026-11-19T08:00:00Z"),
            Visit("in-progress-old", Encounter.EncounterStatus.InProgress, "2026-11-01T08:00:00Z"),
            Visit("in-progress-new", Encounter.EncounterStatus.InProgress, "2026-11-10T08:00:00Z"),
            Visit("in-progress-new-twin", Encounter.EncounterStatus.InProgress, "2026-11-10T08:00:00Z"),
            Visit("in-progress-undated", Encounter.EncounterStatus.InProgress, null),
            Visit("no-status", null, "2026-11-21T08:00:00Z"),
        };

        Assert.Equal("in-progress-new", PatientSummaries.OngoingEncounter(encounters)?.Id);
        Assert.Equal("arrived-newer", PatientSummaries.OngoingEncounter(encounters.Where(e => e.Status != Encounter.EncounterStatus.InProgress))?.Id);
        Assert.Equal("in-progress-undated", PatientSummaries.OngoingEncounter([encounters[5]])?.Id);
        Assert.Null(PatientSummaries.OngoingEncounter([encounters[0], encounters[6]]));
        Assert.Null(PatientSummaries.OngoingEncounter([]));
    }
}

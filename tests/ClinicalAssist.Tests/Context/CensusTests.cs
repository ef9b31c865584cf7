using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using Microsoft.Extensions.DependencyInjection;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

/// <summary>The rounds list (census) of the Server source: in-progress Encounters at a location, or a FHIR List/Group.</summary>
public sealed class CensusTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private static (Patient, List<Resource>) Ward()
    {
        var (patient, resources) = DemoLikePatient();
        var current = resources.OfType<Encounter>().Single(e => e.Id == "enc-now");
        current.Location[0].Location.Reference = "Location/ward-7b";
        resources.Add(new List
        {
            Id = "rounds", Status = List.ListStatus.Current, Mode = ListMode.Working,
            Entry = [new List.EntryComponent { Item = new ResourceReference("Patient/p1") }, new List.EntryComponent { Item = new ResourceReference("Practitioner/x") }],
        });
        resources.Add(new Group { Id = "team-a", Type = Group.GroupType.Person, Actual = true, Member = [new Group.MemberComponent { Entity = new ResourceReference("Patient/p1") }] });
        return (patient, resources);
    }

    [Theory]
    [InlineData("ward-7b", 1)]
    [InlineData("ward-9", 0)]
    public async System.Threading.Tasks.Task Encounters_in_progress_at_the_configured_location(string location, int expected)
    {
        var (patient, resources) = Ward();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, extra: new Dictionary<string, string?> { ["Fhir:Census:Location"] = location });
        var source = host.Services.GetRequiredService<IPatientRecordSource>();

        var census = await source.GetCensusAsync(Ct);

        Assert.Equal(expected, census.Count);
        Assert.Contains(server.Requests, r => r.StartsWith("/fhir/Encounter?", StringComparison.Ordinal) && r.Contains("status=in-progress", StringComparison.Ordinal)
                                              && r.Contains("location=Location%2F" + location, StringComparison.Ordinal));
        if (expected == 1)
        {
            Assert.Equal("Ward 7B, Bed 12", census[0].Location);
            Assert.Equal("Ada M. Lovelace", census[0].DisplayName);
        }
    }

    [Theory]
    [InlineData("List", "rounds")]
    [InlineData("Group", "team-a")]
    public async System.Threading.Tasks.Task A_fhir_list_or_group_gives_its_patients(string mode, string id)
    {
        var (patient, resources) = Ward();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, extra: new Dictionary<string, string?>
        {
            ["Fhir:Census:Mode"] = mode,
            [$"Fhir:Census:{mode}Id"] = id,
        });
        var source = host.Services.GetRequiredService<IPatientRecordSource>();

        var census = await source.GetCensusAsync(Ct);

        var row = Assert.Single(census);
        Assert.Equal("p1", row.Id);
        Assert.Equal("Ward 7B, Bed 12", row.Location); // from the patient's ongoing encounter
        Assert.Contains(server.Requests, r => r == $"/fhir/{mode}/{id}");
    }

    [Fact]
    public async System.Threading.Tasks.Task A_missing_list_fails_with_a_clear_message()
    {
        var (patient, resources) = Ward();
        await using var server = await FakeFhirServer.StartAsync(patient, resources);
        using var host = ServerRecordSourceTests.Host(server.BaseUrl, extra: new Dictionary<string, string?> { ["Fhir:Census:Mode"] = "List" });
        var source = host.Services.GetRequiredService<IPatientRecordSource>();

        var error = await Assert.ThrowsAsync<FhirSourceException>(() => source.GetCensusAsync(Ct));
        Assert.Contains("Fhir:Census:ListId is missing", error.Message, StringComparison.Ordinal);
    }
}

using Bunit;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Patients;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

public sealed class PatientListTests : MudTestContext
{
    [Fact]
    public async System.Threading.Tasks.Task Rounds_switch_lists_the_census_and_search_finds_by_birth_date()
    {
        var source = new DemoRecordSource(Options.Create(new FhirOptions { DemoPatientCount = 6 }), new FakeTimeProvider(Now));
        Services.AddSingleton<IPatientRecordSource>(source);
        var all = await source.SearchPatientsAsync(null, Xunit.TestContext.Current.CancellationToken);
        var census = await ((IPatientRecordSource)source).GetCensusAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.NotEmpty(census);
        Assert.All(census, p => Assert.NotNull(p.Location));

        var cut = Render<PatientList>();
        cut.WaitForAssertion(() => Assert.Equal(all.Count, cut.FindAll("[data-testid=patient-link]").Count));

        await cut.InvokeAsync(() => cut.FindComponent<MudSwitch<bool>>().Instance.ValueChanged.InvokeAsync(true));
        cut.WaitForAssertion(() => Assert.Equal(census.Count, cut.FindAll("[data-testid=patient-link]").Count));
        Assert.Equal(census.Select(p => p.DisplayName).Order(), cut.FindAll("[data-testid=patient-link]").Select(a => a.TextContent).Order());
    }

    [Fact]
    public void The_list_is_in_natural_bed_order_as_on_rounds()
    {
        var source = new DemoRecordSource(Options.Create(new FhirOptions { DemoPatientCount = 12 }), new FakeTimeProvider(Now));
        Services.AddSingleton<IPatientRecordSource>(source);

        var cut = Render<PatientList>();
        cut.WaitForAssertion(() => Assert.Equal(12, cut.FindAll("[data-testid=patient-link]").Count));

        // Per ward, bed numbers ascend by value: Bed 2 before Bed 10.
        var beds = cut.FindAll("td[data-label=Location]").Select(td => td.TextContent.Trim()).Where(l => l.Contains(", Bed ", StringComparison.Ordinal))
            .Select(l => (Ward: l[..l.IndexOf(", Bed ", StringComparison.Ordinal)], Bed: int.Parse(l[(l.IndexOf(", Bed ", StringComparison.Ordinal) + 6)..], System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        Assert.True(beds.Count >= 10, $"only {beds.Count} demo patients have a bed");
        Assert.Contains(beds, b => b.Bed >= 10);
        foreach (var ward in beds.GroupBy(b => b.Ward))
        {
            var numbers = ward.Select(b => b.Bed).ToList();
            Assert.Equal(numbers.Order(), numbers);
        }
        Assert.Equal(beds.Select(b => b.Ward).Distinct().Count(), beds.Select(b => b.Ward).Chunk(1).Select(c => c[0]).Where((w, i) => i == 0 || beds[i - 1].Ward != w).Count());
    }
}

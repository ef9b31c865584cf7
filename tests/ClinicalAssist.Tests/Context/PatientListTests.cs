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
        cut.WaitForAssertion(() => Assert.Equal(census.Select(p => p.DisplayName), cut.FindAll("[data-testid=patient-link]").Select(a => a.TextContent)));
    }
}

using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Components.Layout;
using ClinicalAssist.Web.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Tests.Components;

/// <summary>The warning before the idle sign-out (on the test's clock): it appears <see cref="IdleSessionOptions.IdleWarningLead"/>
/// before the timeout, not earlier, counts down, and "Stay signed in" counts as use and hides it until the next lead.</summary>
public sealed class IdleWarningTests : MudTestContext, IAsyncLifetime
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 8, 9, 0, 0, TimeSpan.Zero));
    private TestDatabase _database = null!;
    private readonly IdleSessionOptions _options = new() { IdleTimeout = TimeSpan.FromMinutes(10) };

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        Services.AddSingleton<TimeProvider>(_clock);
        Services.AddSingleton<IDbContextFactory<AppDbContext>>(_database);
        Services.AddSingleton<AccountChanges>();
        Services.AddSingleton<SignInSessions>();
        Services.AddScoped<CircuitActivity>();
        Services.AddSingleton(Options.Create(_options));
        Services.AddLogging();
        var auth = AddAuthorization();
        auth.SetAuthorized("Dr Casey Clinician");
        SetRendererInfo(new Microsoft.AspNetCore.Components.RendererInfo("Server", isInteractive: true));
    }

    async ValueTask IAsyncDisposable.DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Warns_before_the_idle_sign_out_and_stay_signed_in_keeps_the_session()
    {
        Assert.Equal(TimeSpan.FromMinutes(2), _options.IdleWarningLead);
        var cut = Render<IdleWarning>();
        var activity = Services.GetRequiredService<CircuitActivity>();

        _clock.Advance(TimeSpan.FromMinutes(7)); // 3 minutes left: no warning yet
        await cut.InvokeAsync(() => { });
        Assert.Empty(cut.FindAll("[data-testid=idle-warning]"));

        _clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(30)); // 90 s left
        cut.WaitForAssertion(() => Assert.Contains("You will be signed out in 90 seconds", cut.Find("[data-testid=idle-warning]").TextContent, StringComparison.Ordinal));
        _clock.Advance(TimeSpan.FromSeconds(60));
        cut.WaitForAssertion(() => Assert.Contains("in 30 seconds", cut.Find("[data-testid=idle-warning]").TextContent, StringComparison.Ordinal));

        await cut.InvokeAsync(() => cut.Find("[data-testid=stay-signed-in]").Click());
        Assert.Empty(cut.FindAll("[data-testid=idle-warning]"));
        Assert.Equal(_clock.GetUtcNow(), activity.LastActivity);

        _clock.Advance(TimeSpan.FromMinutes(7));
        await cut.InvokeAsync(() => { });
        Assert.Empty(cut.FindAll("[data-testid=idle-warning]"));
        _clock.Advance(TimeSpan.FromMinutes(2));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll("[data-testid=idle-warning]")));
    }
}

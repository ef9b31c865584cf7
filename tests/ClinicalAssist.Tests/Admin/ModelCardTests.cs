using System.Security.Claims;
using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Components.Shared;
using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor;

namespace ClinicalAssist.Tests.Admin;

public sealed class ModelCardTests : MudTestContext, IAsyncLifetime
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;
    private static readonly Actor Admin = new("admin-1", "Admin One");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;
    private ModelCardStore _store = null!;
    private Guid _configId;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _store = new ModelCardStore(_db, new AuditLog(_db, _clock), _clock);
        _configId = Guid.NewGuid();
        await using (var db = _db.CreateDbContext())
        {
            db.ModelConfigurations.Add(new ModelConfiguration { Id = _configId, Name = "Foundry GPT-4o", Provider = ModelProvider.Offline });
            await db.SaveChangesAsync(Ct);
        }
        Services.AddSingleton(_store);
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        var auth = AddAuthorization();
        auth.SetAuthorized("Admin One");
        auth.SetRoles(Roles.Admin);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "admin-1"));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static ModelCard Filled(bool includeOptional = false)
    {
        var card = new ModelCard();
        foreach (var field in ModelCardFields.All.Where(f => f.Required || includeOptional))
        {
            field.Set(card, field.Choices?[0] ?? $"Value of {field.Key}");
        }
        return card;
    }

    [Fact]
    public void The_field_list_covers_the_nine_HTI1_groups_and_the_CHAI_sections_with_distinct_keys()
    {
        var sections = ModelCardFields.All.Select(f => f.Section).Distinct().ToList();
        for (var group = 1; group <= 9; group++)
        {
            Assert.Contains(sections, s => s.Contains($"HTI-1 §{group}", StringComparison.Ordinal));
        }
        foreach (var chai in new[] { "BasicInfo", "ReleaseInfo", "ModelSummary", "UsesAndDirections", "Warnings", "TrustIngredients", "KeyMetrics", "Resources", "Bibliography" })
        {
            Assert.Contains(sections, s => s.Contains(chai, StringComparison.Ordinal));
        }
        Assert.Equal(ModelCardFields.All.Count, ModelCardFields.All.Select(f => f.Key).Distinct().Count());
        // Every field reads back what it writes, to its own property.
        var card = new ModelCard();
        foreach (var field in ModelCardFields.All) field.Set(card, "v-" + field.Key);
        Assert.All(ModelCardFields.All, f => Assert.Equal("v-" + f.Key, f.Get(card)));
        Assert.Equal(15, ModelCardFields.All.Count(f => f.Help == "CHAI KeyMetrics."));
    }

    [Fact]
    public void Completeness_needs_every_required_field_and_no_card_is_incomplete()
    {
        Assert.False(ModelCardFields.IsComplete(null));
        Assert.Equal(ModelCardFields.All.Count(f => f.Required), ModelCardFields.Missing(null).Count);
        var card = Filled();
        Assert.True(ModelCardFields.IsComplete(card));
        card.SafetyTestData = "  ";
        Assert.Equal(["Safety / reliability: test data"], ModelCardFields.Missing(card));
    }

    [Fact]
    public async Task Saving_is_audited_and_a_card_saved_meanwhile_by_someone_else_is_not_overwritten()
    {
        var (ok, message) = await _store.SaveAsync(_configId, Filled(), null, Admin, Ct);
        Assert.True(ok, message);
        var (_, saved) = await _store.GetAsync(_configId, Ct);
        Assert.True(ModelCardFields.IsComplete(saved));
        Assert.Equal("Admin One", saved!.UpdatedByName);
        Assert.True((await _store.CompletenessAsync([_configId], Ct))[_configId]);

        var first = Filled();
        first.KnownRisks = "Edited by the first admin";
        Assert.True((await _store.SaveAsync(_configId, first, saved.Version, Admin, Ct)).Succeeded);
        var second = Filled();
        second.KnownRisks = "Edited by the second admin";
        var (stale, staleMessage) = await _store.SaveAsync(_configId, second, saved.Version, Admin, Ct);
        Assert.False(stale);
        Assert.Contains("Someone else saved", staleMessage);
        Assert.Equal("Edited by the first admin", (await _store.GetAsync(_configId, Ct)).Card!.KnownRisks);

        await using var db = _db.CreateDbContext();
        var audit = await db.AuditEvents.OrderBy(a => a.Id).ToListAsync(Ct);
        Assert.Equal([AuditActions.ModelCardSaved, AuditActions.ModelCardSaved], audit.Select(a => a.Action));
        Assert.Contains("complete=True missing_fields=0", audit[0].Details);
    }

    [Fact]
    public async Task The_editor_saves_what_is_typed_and_shows_completeness()
    {
        var cut = Render<ModelCardEditor>(p => p.Add(c => c.Id, _configId));
        cut.WaitForAssertion(() => Assert.Contains("Incomplete", cut.Find("[data-testid=card-completeness]").TextContent, StringComparison.Ordinal));

        foreach (var field in ModelCardFields.All.Where(f => f.Required && f.Choices is null))
        {
            await cut.InvokeAsync(() => cut.Find($"textarea[data-testid=card-field-{field.Key}]").Input("Typed " + field.Key));
        }
        await cut.InvokeAsync(() => cut.Find("[data-testid=card-field-decision-role-Informs]").Click());
        cut.WaitForAssertion(() => Assert.Contains("Complete", cut.Find("[data-testid=card-completeness]").TextContent, StringComparison.Ordinal));
        await cut.InvokeAsync(() => cut.Find("[data-testid=save-card]").Click());

        cut.WaitForAssertion(() => Assert.Equal("Typed risks", Stored()?.KnownRisks));
        var card = Stored();
        Assert.Equal("Informs", card!.DecisionRole);
        Assert.True(ModelCardFields.IsComplete(card));
    }

    private ModelCard? Stored()
    {
        using var db = _db.CreateDbContext();
        return db.ModelCards.AsNoTracking().SingleOrDefault(c => c.ModelConfigurationId == _configId);
    }

    private IRenderedComponent<IComponent> RenderLink(Guid? id) => Render(b =>
    {
        b.OpenComponent<MudDialogProvider>(0);
        b.CloseComponent();
        b.OpenComponent<ModelCardLink>(1);
        b.AddAttribute(2, nameof(ModelCardLink.ModelConfigurationId), id);
        b.CloseComponent();
    });

    [Fact]
    public async Task About_this_model_marks_a_configuration_without_a_complete_card_and_opens_it_read_only()
    {
        var cut = RenderLink(_configId);
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=model-card-incomplete]")));

        await cut.InvokeAsync(() => cut.Find("[data-testid=about-model]").Click());
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find("[data-testid=model-card-dialog]")));
        Assert.Contains("Model card incomplete", cut.Find("[data-testid=card-incomplete]").TextContent, StringComparison.Ordinal);
        Assert.Empty(cut.FindAll("[data-testid=model-card-dialog] textarea"));
        Assert.Empty(cut.FindAll("[data-testid=model-card-dialog] input"));
    }

    [Fact]
    public async Task A_complete_card_is_not_marked_and_its_content_is_shown()
    {
        var card = Filled();
        card.IntendedUse = "Summarise the inpatient record for rounds";
        Assert.True((await _store.SaveAsync(_configId, card, null, Admin, Ct)).Succeeded);

        var cut = RenderLink(_configId);
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=about-model]").HasAttribute("disabled")));
        Assert.Empty(cut.FindAll("[data-testid=model-card-incomplete]"));
        await cut.InvokeAsync(() => cut.Find("[data-testid=about-model]").Click());
        cut.WaitForAssertion(() => Assert.Equal("Summarise the inpatient record for rounds", cut.Find("[data-testid=card-intended-use]").TextContent));
        Assert.Empty(cut.FindAll("[data-testid=card-incomplete]"));
    }

    [Fact]
    public void A_draft_without_a_configuration_says_so()
    {
        var cut = RenderLink(null);
        Assert.NotNull(cut.Find("[data-testid=model-card-none]"));
    }
}

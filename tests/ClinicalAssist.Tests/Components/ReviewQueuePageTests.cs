using Bunit;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Review;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace ClinicalAssist.Tests.Components;

public sealed class ReviewQueuePageTests : MudTestContext, IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        Services.AddSingleton(new ReviewQueueQuery(_db));
        await using var db = _db.CreateDbContext();
        var t0 = new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero);
        db.Drafts.AddRange(Enumerable.Range(0, 30).Select(i => new Draft
        {
            Id = Guid.NewGuid(), PatientId = $"p{i}", PatientLabel = $"Patient {i:00}", RecordSource = "Demo", DrafterName = "Offline",
            ModelId = "offline-rules-v1", TemplateId = "clinical-summary", TemplateVersion = 1, Status = i < 27 ? DraftStatus.Signed : DraftStatus.Approved,
            GeneratedText = "x", SignedText = "x", CreatedById = "g", CreatedByName = "G", CreatedAt = t0,
            ClinicianDecisionById = "c1", ClinicianDecisionByName = "Dr One", ClinicianDecisionAt = t0.AddMinutes(i), WarningCount = i % 2,
        }));
        await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private IRenderedComponent<IComponent> RenderQueue() =>
        Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0);
            builder.CloseComponent();
            builder.OpenComponent<ReviewQueue>(1);
            builder.CloseComponent();
        });

    [Fact]
    public async Task Drafts_of_a_configuration_without_a_completed_model_card_are_marked()
    {
        await using (var db = _db.CreateDbContext())
        {
            var complete = new ModelConfiguration { Name = "Complete", Provider = ModelProvider.Offline };
            var incomplete = new ModelConfiguration { Name = "Incomplete", Provider = ModelProvider.Offline };
            db.ModelConfigurations.AddRange(complete, incomplete);
            var card = new ModelCard { ModelConfiguration = complete };
            foreach (var field in ClinicalAssist.Web.Features.Governance.ModelCardFields.All) field.Set(card, field.Choices?[0] ?? "filled");
            db.ModelCards.Add(card);
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
            var drafts = await db.Drafts.OrderBy(d => d.ClinicianDecisionAt).Take(2).ToListAsync(Xunit.TestContext.Current.CancellationToken);
            drafts[0].ModelConfigurationId = incomplete.Id;
            drafts[1].ModelConfigurationId = complete.Id;
            await db.SaveChangesAsync(Xunit.TestContext.Current.CancellationToken);
        }

        var cut = RenderQueue();

        cut.WaitForAssertion(() => Assert.Equal(25, cut.FindAll("[data-testid=review-link]").Count));
        var marked = cut.FindAll("tr").Where(r => r.QuerySelector("[data-testid=queue-card-incomplete]") is not null).ToList();
        var row = Assert.Single(marked);
        Assert.Contains("Patient 00", row.TextContent);
    }

    [Fact]
    public async Task Shows_counts_per_status_and_pages_forward_and_back_by_keyset()
    {
        var cut = RenderQueue();

        cut.WaitForAssertion(() => Assert.Equal(25, cut.FindAll("[data-testid=review-link]").Count));
        Assert.Contains("Awaiting review (27)", cut.Find("[data-testid=view-awaiting]").TextContent);
        Assert.Contains("Approved (3)", cut.Find("[data-testid=view-approved]").TextContent);
        Assert.Equal("Patient 00", cut.FindAll("[data-testid=review-link]")[0].TextContent);

        await cut.InvokeAsync(() => cut.Find("[data-testid=next-page] button, button[data-testid=next-page]").Click());
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("[data-testid=review-link]").Count));
        Assert.Equal("Patient 25", cut.FindAll("[data-testid=review-link]")[0].TextContent);

        await cut.InvokeAsync(() => cut.FindAll("button").First(b => b.TextContent.Contains("Previous")).Click());
        cut.WaitForAssertion(() => Assert.Equal(25, cut.FindAll("[data-testid=review-link]").Count));
    }

    [Fact]
    public async Task Choosing_the_approved_view_lists_only_approved_drafts()
    {
        var cut = RenderQueue();
        cut.WaitForAssertion(() => Assert.Equal(25, cut.FindAll("[data-testid=review-link]").Count));

        await cut.InvokeAsync(() => cut.Find("[data-testid=view-approved]").Click());

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("[data-testid=review-link]").Count));
        Assert.All(cut.FindAll("[data-testid=review-table] .mud-chip"), c => Assert.Contains("Approved", c.TextContent));
    }
}

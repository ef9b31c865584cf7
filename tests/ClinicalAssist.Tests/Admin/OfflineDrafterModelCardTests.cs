using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Tests.Admin;

/// <summary>The offline drafter ships with a complete model card (every required field filled), seeded for its
/// configuration when it has none — also on an install from before — and never over an admin's edits.</summary>
public sealed class OfflineDrafterModelCardTests
{
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_offline_drafters_configuration_gets_a_complete_card_once_and_an_admins_edit_stays()
    {
        await using var database = await TestDatabase.CreateAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero));
        await using (var db = database.CreateDbContext())
        {
            await ModelConfigurationService.SeedAsync(db, new ModelOptions(), time, Ct); // as on a first start (or an older install)
            Assert.Equal(0, await db.ModelCards.CountAsync(Ct));
            await OfflineDrafterModelCard.SeedAsync(db, time, Ct);
        }

        await using (var db = database.CreateDbContext())
        {
            var offline = await db.ModelConfigurations.SingleAsync(c => c.Provider == ModelProvider.Offline, Ct);
            var card = await db.ModelCards.SingleAsync(c => c.ModelConfigurationId == offline.Id, Ct);
            Assert.Empty(ModelCardFields.Missing(card));
            Assert.True(ModelCardFields.IsComplete(card));
            Assert.Equal(OfflineDrafter.OfflineDisplayName, card.ModelName);
            Assert.Equal("Informs", card.DecisionRole);
            Assert.Contains("not a trained model", card.FoundationModels, StringComparison.Ordinal);
            card.KnownRisks = "Edited by the hospital's admin.";
            await db.SaveChangesAsync(Ct);
        }

        await using (var db = database.CreateDbContext())
        {
            await OfflineDrafterModelCard.SeedAsync(db, time, Ct); // the next start
            var card = await db.ModelCards.AsNoTracking().SingleAsync(Ct);
            Assert.Equal("Edited by the hospital's admin.", card.KnownRisks);
        }
    }
}

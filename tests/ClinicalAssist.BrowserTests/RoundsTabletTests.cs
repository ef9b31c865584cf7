using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// Rounds mode on a tablet (1024×768) and a phone (390×844): the list in bed order, "Prepare drafts" with live
/// progress, the chart opened from rounds with the draft, warnings and Sign on screen and previous/next, the printable
/// handover. At both sizes: no horizontal scrolling, main controls ≥ 44 px, axe clean. Screenshots in artifacts
/// (copied to docs/screenshots).
/// </summary>
public sealed class RoundsTabletTests : BrowserTestBase
{
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Model__OfflineChunkDelayMilliseconds"] = "0",
        ["Rounds__MaxConcurrency"] = "4",
    };

    private static async Task AssertNoHorizontalScrollAsync(IPage page, string where)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var (scroll, client) = (widths[0], widths[1]);
        Assert.True(scroll <= client, $"{where}: horizontal scrolling (scrollWidth {scroll} > clientWidth {client})");
    }

    private static async Task AssertTouchTargetsAsync(IPage page, string where, params string[] testIds)
    {
        foreach (var id in testIds)
        {
            var elements = await page.GetByTestId(id).AllAsync();
            Assert.True(elements.Count > 0, $"{where}: no [data-testid={id}]");
            foreach (var element in elements.Take(3))
            {
                var box = await element.BoundingBoxAsync();
                Assert.NotNull(box);
                Assert.True(box!.Height >= 44 && box.Width >= 44, $"{where}: {id} is {box.Width:0}×{box.Height:0} px (< 44)");
            }
        }
    }

    [Fact]
    public async Task Clinician_prepares_drafts_walks_the_round_on_a_tablet_and_a_phone_and_prints_the_handover()
    {
        // Tablet.
        var tablet = await SignInAsync("clinician@demo.local", 1024, 768);
        await tablet.GotoAsync(Url("rounds"));
        await tablet.WaitForInteractiveAsync();
        await Expect(tablet.GetByTestId("rounds-row")).ToHaveCountAsync(12);
        var names = await tablet.GetByTestId("rounds-patient").AllInnerTextsAsync();

        await tablet.GetByTestId("prepare-drafts").ClickAsync();
        // The batch's own completion signal first ("— finished"), then what it implies: never a count that a later
        // write completes.
        await Expect(tablet.GetByTestId("batch-progress")).ToContainTextAsync("— finished", new() { Timeout = Patience.Ms(Patience.Long) });
        await Expect(tablet.GetByTestId("batch-count")).ToHaveTextAsync("12 of 12");
        await Expect(tablet.Locator("[data-testid=row-status]", new() { HasTextString = "Preparing" })).ToHaveCountAsync(0);
        await AssertNoHorizontalScrollAsync(tablet, "rounds 1024×768");
        await AssertTouchTargetsAsync(tablet, "rounds 1024×768", "prepare-drafts", "open-handover", "rounds-patient", "remove-patient");
        await ScanAsync(tablet, "rounds (tablet)");
        await tablet.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.ArtifactsDirectory, "rounds-tablet.png") });

        // The chart from rounds: draft, warnings and Sign on screen without scrolling; then the next patient.
        await tablet.GetByTestId("rounds-patient").First.ClickAsync();
        await Expect(tablet.GetByTestId("patient-name")).ToHaveTextAsync(names[0]);
        await Expect(tablet.GetByTestId("rounds-position")).ToHaveTextAsync("1 of 12");
        await Expect(tablet.GetByTestId("draft-status")).ToHaveTextAsync("Draft");
        foreach (var id in new[] { "draft-status", "sign-draft", "attest" })
        {
            var box = await tablet.GetByTestId(id).First.BoundingBoxAsync();
            Assert.NotNull(box);
            Assert.True(box!.Y >= 0 && box.Y + box.Height <= 768, $"chart 1024×768: {id} is not on screen without scrolling (y={box.Y:0}, h={box.Height:0})");
        }
        var warning = tablet.GetByTestId("draft-warning").First;
        if (await warning.CountAsync() > 0)
        {
            var box = await warning.BoundingBoxAsync();
            Assert.True(box!.Y + 20 <= 768, "chart 1024×768: the first warning is not on screen");
        }
        Assert.Equal(0, await tablet.EvaluateAsync<int>("() => window.scrollY"));
        await AssertNoHorizontalScrollAsync(tablet, "chart 1024×768");
        await AssertTouchTargetsAsync(tablet, "chart 1024×768", "next-patient", "previous-patient", "back-to-rounds", "sign-draft");
        await ScanAsync(tablet, "chart from rounds (tablet)");
        await tablet.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.ArtifactsDirectory, "rounds-chart-tablet.png") });

        await tablet.GetByTestId("attest").ClickAsync();
        await AcknowledgeCriticalWarningsAsync(tablet);
        await tablet.GetByTestId("sign-draft").ClickAsync();
        await Expect(tablet.GetByTestId("draft-status")).ToHaveTextAsync("Signed");
        await tablet.GetByTestId("next-patient").ClickAsync();
        await Expect(tablet.GetByTestId("patient-name")).ToHaveTextAsync(names[1]);
        await Expect(tablet.GetByTestId("rounds-position")).ToHaveTextAsync("2 of 12");

        // Handover: the signed summary, print CSS hides the navigation.
        await tablet.GotoAsync(Url("rounds/handover"));
        await tablet.WaitForInteractiveAsync();
        await Expect(tablet.GetByTestId("handover-entry")).ToHaveCountAsync(12);
        await Expect(tablet.GetByTestId("handover-text")).ToHaveCountAsync(1);
        await ScanAsync(tablet, "handover");
        await tablet.EmulateMediaAsync(new() { Media = Media.Print });
        await Expect(tablet.Locator(".mud-appbar")).ToBeHiddenAsync();
        await Expect(tablet.GetByTestId("print-handover")).ToBeHiddenAsync();
        await tablet.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.ArtifactsDirectory, "handover-print.png") });
        var pdf = await tablet.PdfAsync();
        Assert.True(pdf.Length > 1000);

        // Phone.
        var phone = await SignInAsync("clinician@demo.local", 390, 844);
        await phone.GotoAsync(Url("rounds"));
        await phone.WaitForInteractiveAsync();
        await Expect(phone.GetByTestId("rounds-row")).ToHaveCountAsync(12);
        await Expect(phone.Locator("[data-testid=row-status]", new() { HasTextString = "Signed" })).ToHaveCountAsync(1);
        await AssertNoHorizontalScrollAsync(phone, "rounds 390×844");
        await AssertTouchTargetsAsync(phone, "rounds 390×844", "prepare-drafts", "open-handover", "rounds-patient", "remove-patient");
        await ScanAsync(phone, "rounds (phone)");
        await phone.ScreenshotAsync(new() { Path = Path.Combine(RepoPaths.ArtifactsDirectory, "rounds-phone.png") });
        await phone.GetByTestId("rounds-patient").Nth(1).ClickAsync();
        await Expect(phone.GetByTestId("rounds-position")).ToHaveTextAsync("2 of 12");
        await AssertNoHorizontalScrollAsync(phone, "chart 390×844");
        await AssertTouchTargetsAsync(phone, "chart 390×844", "next-patient", "previous-patient", "back-to-rounds");
        await ScanAsync(phone, "chart from rounds (phone)");

        AssertNoSeriousAccessibilityViolations();
        AssertLogsFreeOf(names);
    }
}

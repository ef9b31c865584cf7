using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace ClinicalAssist.BrowserTests;

/// <summary>
/// Forms on a slow circuit (a busy server, a ward's weak Wi-Fi): every message from the server reaches the browser
/// late, in order. What the clinician types right after choosing a reason must land in the field they typed in —
/// no component may pull the focus back to itself when its late answer arrives.
/// </summary>
public sealed class SlowCircuitFormTests : BrowserTestBase
{
    private static readonly TimeSpan ServerToBrowserDelay = TimeSpan.FromMilliseconds(400);

    /// <summary>Set once the form is about to be used: sign-in, the chart and the draft arrive at full speed, only the
    /// form's own round trips are slow.</summary>
    private volatile bool _slow;

    protected override Task PrepareContextAsync(IBrowserContext context) =>
        context.RouteWebSocketAsync(new Regex("_blazor"), socket =>
        {
            var server = socket.ConnectToServer();
            socket.OnMessage(frame => Forward(server, frame));
            var chain = Task.CompletedTask;
            var gate = new object();
            server.OnMessage(frame =>
            {
                // Delayed but in order: each frame waits for the one before it.
                lock (gate)
                {
                    var delay = _slow ? ServerToBrowserDelay : TimeSpan.Zero;
                    chain = chain.ContinueWith(async _ => { await Task.Delay(delay); Forward(socket, frame); }, TaskScheduler.Default).Unwrap();
                }
            });
        });

    private static void Forward(IWebSocketRoute to, IWebSocketFrame frame)
    {
        if (frame.Binary is { } bytes) to.Send(bytes);
        else if (frame.Text is { } text) to.Send(text);
    }

    [Fact]
    public async Task A_comment_typed_right_after_choosing_a_reason_is_the_comment_submitted()
    {
        var page = await SignInAsync("clinician@demo.local");
        await OpenPatientAsync(page, 4);
        await page.GetByTestId("generate-summary").ClickAsync();
        await Expect(page.GetByTestId("draft-status")).ToHaveTextAsync("Draft", new() { Timeout = Patience.Ms(Patience.Long) });
        _slow = true;
        await page.GetByTestId("reject-draft").ClickAsync();

        await page.GetByRole(AriaRole.Radio, new() { Name = "Not useful" }).CheckAsync();
        const string comment = "Misses the overnight fall.";
        await page.GetByTestId("reason-comment").PressSequentiallyAsync(comment);
        // The browser's own field holds every character typed (nothing went to another control)...
        await Expect(page.GetByTestId("reason-comment")).ToHaveValueAsync(comment);
        // ...and the server's copy (the counter is rendered from it) catches up.
        await Expect(page.Locator(".field-counter")).ToHaveTextAsync($"{comment.Length} / 2000", new() { Timeout = Patience.Ms(Patience.Medium) });
        await page.GetByTestId("reason-submit").ClickAsync();
        await Expect(page.GetByTestId("draft-status")).ToHaveTextAsync("Rejected", new() { Timeout = Patience.Ms(Patience.Medium) });
        await Expect(page.GetByTestId("decision-info")).ToContainTextAsync("Not useful");
        await Expect(page.GetByTestId("decision-info")).ToContainTextAsync(comment);
    }
}

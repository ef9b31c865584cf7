using Bunit;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Components.Shared;
using ClinicalAssist.Web.Features.Review;
using Microsoft.AspNetCore.Components;

namespace ClinicalAssist.Tests.Components;

public sealed class ReasonFormTests : MudTestContext
{
    [Fact]
    public async Task Submitting_without_reason_or_comment_shows_a_message_and_does_not_submit()
    {
        var submitted = false;
        var cut = Render<ReasonForm>(p => p
            .Add(x => x.Label, "Reject")
            .Add(x => x.SubmitText, "Reject draft")
            .Add(x => x.OnSubmit, EventCallback.Factory.Create<(string?, string?)>(this, _ => submitted = true)));

        await cut.InvokeAsync(() => cut.Find("[data-testid=reason-submit]").Click());

        Assert.False(submitted);
        Assert.Contains("Choose a reason", cut.Find("[role=alert]").TextContent);
    }

    [Fact]
    public async Task A_comment_alone_is_enough()
    {
        (string? Reason, string? Comment)? submitted = null;
        var cut = Render<ReasonForm>(p => p
            .Add(x => x.Label, "Reject")
            .Add(x => x.SubmitText, "Reject draft")
            .Add(x => x.OnSubmit, EventCallback.Factory.Create<(string?, string?)>(this, v => submitted = v)));

        await cut.InvokeAsync(() => cut.Find("textarea").Input("Dose is wrong."));
        await cut.InvokeAsync(() => cut.Find("[data-testid=reason-submit]").Click());

        Assert.Equal((null, "Dose is wrong."), submitted);
    }

    [Fact]
    public async Task A_reason_is_one_tap_and_can_be_taken_back()
    {
        (string? Reason, string? Comment)? submitted = null;
        var cut = Render<ReasonForm>(p => p
            .Add(x => x.Label, "Return")
            .Add(x => x.SubmitText, "Return draft")
            .Add(x => x.OnSubmit, EventCallback.Factory.Create<(string?, string?)>(this, v => submitted = v)));

        Assert.Equal(DecisionReasons.All.Count, cut.FindAll("input[type=radio]").Count);
        await cut.InvokeAsync(() => cut.Find("[data-testid=reason-wrong-data]").Click());
        await cut.InvokeAsync(() => cut.Find("[data-testid=reason-submit]").Click());
        Assert.Equal(("wrong-data", null), submitted);

        await cut.InvokeAsync(() => cut.Find("[data-testid=reason-clear]").Click());
        await cut.InvokeAsync(() => cut.Find("textarea").Input("Trend is from the previous admission."));
        await cut.InvokeAsync(() => cut.Find("[data-testid=reason-submit]").Click());
        Assert.Equal((null, "Trend is from the previous admission."), submitted);
    }
}

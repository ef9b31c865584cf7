using MudBlazor;

namespace ClinicalAssist.Web.Components.Shared;

public static class DateRanges
{
    /// <summary>A picked date range as a UTC window: from the start day's midnight to the midnight after the end day.</summary>
    public static (DateTimeOffset? From, DateTimeOffset? To) ToUtcWindow(this DateRange? range) => (
        range?.Start is { } start ? new DateTimeOffset(start.Date, TimeSpan.Zero) : null,
        range?.End is { } end ? new DateTimeOffset(end.Date.AddDays(1), TimeSpan.Zero) : null);
}

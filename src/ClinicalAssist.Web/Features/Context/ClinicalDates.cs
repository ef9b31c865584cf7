using System.Globalization;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>The one date style of the chart, the rounds list and citation labels: "08 Oct 22:39" in the current year,
/// "08 Oct 1984 22:39" in any other (a result from 1984 never reads as this autumn's). Dates are shown at the offset
/// they carry: record dates as the record states them, the app's own times as the caller converted them. The prompt keeps its own ISO dates (<c>ClinicalFormat.When</c>), which always carry the year.</summary>
public static class ClinicalDates
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Day and time: "08 Oct 22:39" this year, "08 Oct 1984 22:39" otherwise; the time is left out when it is
    /// midnight (a date without a time); "date unknown" for none.</summary>
    public static string Short(DateTimeOffset? value, DateTimeOffset now)
    {
        if (value is not { } v)
        {
            return "date unknown";
        }

        var day = Day(v, now);
        return v.TimeOfDay == TimeSpan.Zero ? day : day + v.ToString(" HH:mm", Inv);
    }

    /// <summary>The day only, with the year when it is not the current year: "04 Feb 1985", "12 Mar".</summary>
    public static string Day(DateTimeOffset? value, DateTimeOffset now)
    {
        if (value is not { } v)
        {
            return "date unknown";
        }

        return v.Year == now.Year ? v.ToString("dd MMM", Inv) : v.ToString("dd MMM yyyy", Inv);
    }
}

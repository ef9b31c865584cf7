using System.Text.Json;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.WriteBack;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Review;

/// <summary>Normalised word-level Levenshtein distance: 0 = same words, 1 = nothing in common.</summary>
public static class WordEditDistance
{
    public static double Normalized(string original, string edited)
    {
        var a = Tokenize(original);
        var b = Tokenize(edited);
        if (a.Length == 0 && b.Length == 0) return 0;

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            (previous, current) = (current, previous);
        }
        return (double)previous[b.Length] / Math.Max(a.Length, b.Length);
    }

    private static string[] Tokenize(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}

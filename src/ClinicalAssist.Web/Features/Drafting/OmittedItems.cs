using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Web.Features.Context;
using Microsoft.ML.Tokenizers;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>Items of one section that did not fit the token budget.</summary>
public sealed record OmittedItems(string Section, int Count, string Noun)
{
    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"{Count} {(Count == 1 ? Singular(Noun) : Noun)} not sent");

    private static string Singular(string noun) => noun.EndsWith("ies", StringComparison.Ordinal) ? noun[..^3] + "y" : noun.TrimEnd('s');
}

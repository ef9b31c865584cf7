using System.IO.Compression;

namespace ClinicalAssist.Web.Infrastructure;

/// <summary>The list of common and breached passwords shipped with the product (49,233 entries, lower case; the
/// @zxcvbn-ts/language-common 4.1.3 list, MIT), read once from the assembly.</summary>
public sealed class CommonPasswords
{
    private readonly Lazy<HashSet<string>> _words = new(Load);

    public int Count => _words.Value.Count;

    public bool Contains(string lowerCaseCandidate) => _words.Value.Contains(lowerCaseCandidate);

    private static HashSet<string> Load()
    {
        using var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream("CommonPasswords.txt.gz")
            ?? throw new InvalidOperationException("The common-password list is missing from the build.");
        using var reader = new StreamReader(new GZipStream(stream, CompressionMode.Decompress));
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0) words.Add(line);
        }
        return words;
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Web.Features.Context;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>
/// What a patient's record looked like when a draft was made: SHA-256 over every context resource's type, id,
/// meta.versionId and meta.lastUpdated. A resource with neither (Bundle files, generated demo data) contributes a
/// hash of its content instead, so an edit is still seen. Same fingerprint → the record did not change.
/// </summary>
public static class RecordFingerprint
{
    public static string Of(PatientContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Of(context.Resources.Values);
    }

    public static string Of(IEnumerable<Resource> resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var lines = resources.Select(Line).Order(StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', lines))));
    }

    private static string Line(Resource r)
    {
        var version = r.Meta?.VersionId;
        var updated = r.Meta?.LastUpdated?.ToString("O", CultureInfo.InvariantCulture);
        var line = $"{r.TypeName}/{r.Id}|{version}|{updated}";
        if (version is null && updated is null)
        {
            line += "|" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(r.ToJson())));
        }
        return line;
    }
}

using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>A pointer at one FHIR resource version: what every statement in a draft cites.</summary>
public sealed record ResourceRef(string Type, string Id, string? VersionId = null)
{
    /// <summary>"Type/Id" — the key used in <see cref="PatientContext.Resources"/>.</summary>
    public string Reference => $"{Type}/{Id}";

    public override string ToString() => VersionId is null ? Reference : $"{Reference}/_history/{VersionId}";

    public static ResourceRef From(Resource r) => new(r.TypeName, r.Id ?? "", r.Meta?.VersionId);
}

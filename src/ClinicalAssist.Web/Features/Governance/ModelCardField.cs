using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

/// <summary>One field of a model card: where it sits (HTI-1 group / CHAI section), how it reads and whether a
/// complete card needs it. The editor, the read-only view and the completeness check all use this one list.</summary>
public sealed record ModelCardField(
    string Section, string Key, string Label, string Help, Func<ModelCard, string?> Get, Action<ModelCard, string?> Set,
    bool Required = true, IReadOnlyList<string>? Choices = null);

using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.WriteBack;

/// <summary>Everything one write-back needs, gathered from the database by <see cref="WriteBackProcessor"/>.</summary>
public sealed record WriteBackInput(
    Draft Draft,
    string ClinicianName,
    string? ClinicianEmail,
    string? PractitionerReference,
    ModelConfiguration? Configuration,
    string ModelCardMarkdown,
    string PromptMarkdown,
    IReadOnlyList<string> SourceReferences);

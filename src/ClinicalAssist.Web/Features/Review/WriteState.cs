using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Review;

/// <summary>The FHIR write-back state of a queued draft (pending, written with its document id, failed with the reason).</summary>
public sealed record WriteState(FhirWriteStatus Status, string? Detail);

using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.WriteBack;

/// <summary>Audit action names of the write-back.</summary>
public static class WriteBackAuditActions
{
    public const string Queued = "fhir-write.queued";
    public const string Written = "fhir-write.written";
    public const string AttemptFailed = "fhir-write.attempt-failed";
    public const string Failed = "fhir-write.failed";
    public const string Retried = "fhir-write.retried";
    public const string Cancelled = "fhir-write.cancelled";
}

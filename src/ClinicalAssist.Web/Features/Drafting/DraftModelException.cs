namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// A drafting model failed. <see cref="Exception.Message"/> is written for the clinician (what happened, what to do)
/// and never contains patient data or secrets; <see cref="Retryable"/> says whether trying again may help.
/// <see cref="Status"/> and <see cref="ErrorCode"/> are the service's HTTP status and error code, for diagnostics.
/// The service's error body is deliberately not kept (it can echo request content).
/// </summary>
public sealed class DraftModelException : Exception
{
    public DraftModelException(string userMessage, bool retryable, int? status = null, string? errorCode = null, Exception? innerException = null)
        : base(userMessage, innerException)
    {
        Retryable = retryable;
        Status = status;
        ErrorCode = errorCode;
    }

    public bool Retryable { get; }

    public int? Status { get; }

    public string? ErrorCode { get; }

    /// <summary>How long the service asked callers to wait (its Retry-After), when it said.</summary>
    public TimeSpan? RetryAfter { get; set; }
}

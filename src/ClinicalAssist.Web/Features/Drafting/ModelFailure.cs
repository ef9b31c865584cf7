using System.ClientModel;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Azure;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>What a failed model call says about itself, whichever provider's SDK threw it.</summary>
/// <param name="Status">HTTP status; 0 for a transport failure (no answer).</param>
/// <param name="ErrorCode">The service's error code (e.g. "content_filter", "RateLimitReached"), never its message.</param>
/// <param name="RetryAfter">The service's Retry-After / retry-after-ms, when it sent one.</param>
public sealed record ModelFailure(int Status, string? ErrorCode, TimeSpan? RetryAfter, bool Transport)
{
    /// <summary>Worth another attempt before any text arrived: 408, 429, 5xx, transport errors.</summary>
    public bool Retryable => Transport || Status is 408 or 429 or >= 500;
}

using System.ClientModel;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Azure;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// Turns what the provider SDKs throw (OpenAI / System.ClientModel <see cref="ClientResultException"/>, Azure.Core
/// <see cref="RequestFailedException"/>, transport and parse errors) into a <see cref="DraftModelException"/> whose
/// message a clinician can act on. The service's error body is read only for its error code (it can echo request
/// content) and never kept.
/// </summary>
public static class ModelFailures
{
    /// <summary>The status, error code and Retry-After of a failed call; null when the exception is not a service
    /// or transport failure.</summary>
    public static ModelFailure? Describe(Exception ex, DateTimeOffset now) => ex switch
    {
        ModelCallException call => call.Failure,
        RequestFailedException { Status: 0 } => new ModelFailure(0, null, null, Transport: true),
        RequestFailedException rfe => new ModelFailure(rfe.Status, rfe.ErrorCode,
            RetryAfter(name => rfe.GetRawResponse() is { } r && r.Headers.TryGetValue(name, out var v) ? v : null, now), Transport: false),
        ClientResultException { Status: 0 } => new ModelFailure(0, null, null, Transport: true),
        ClientResultException cre => new ModelFailure(cre.Status, ErrorCodeOf(cre.GetRawResponse()),
            RetryAfter(name => cre.GetRawResponse() is { } r && r.Headers.TryGetValue(name, out var v) ? v : null, now), Transport: false),
        HttpRequestException or IOException or SocketException => new ModelFailure(0, null, null, Transport: true),
        AggregateException { InnerExceptions.Count: > 0 } agg => Describe(agg.InnerExceptions[0], now),
        _ => null,
    };

    /// <summary>Maps a failure to a clinician-facing exception; null lets the caller's own cancellation (and
    /// anything unknown) through.</summary>
    public static DraftModelException? Translate(Exception ex, CancellationToken callerToken, int received, int timeoutSeconds, DateTimeOffset now)
    {
        if (ex is DraftModelException already) return already;
        // Some SDK paths wrap the real failure (a timeout, a refused connection) in an AggregateException.
        if (ex is AggregateException { InnerExceptions.Count: 1 } aggregate) ex = aggregate.InnerExceptions[0];
        if (ex is OperationCanceledException && callerToken.IsCancellationRequested) return null;

        if (ex is Azure.Identity.AuthenticationFailedException)
        {
            return new DraftModelException(
                "The application could not obtain a Microsoft Entra ID token for the AI service. Ask an administrator to check the managed identity (or sign-in) of this deployment and its role on the Foundry resource; meanwhile use the offline draft.",
                retryable: false, errorCode: "entra_id");
        }

        var partial = received > 0 ? " The text received so far is incomplete." : "";
        if (ex is OperationCanceledException or TimeoutException
            || ex.InnerException is TimeoutException or TaskCanceledException)
        {
            return new DraftModelException(
                $"The AI service did not respond within {timeoutSeconds} seconds.{partial} Try again; if it keeps happening, use the offline draft.",
                retryable: true, errorCode: "timeout", innerException: ex);
        }
        if (ex is JsonException or FormatException || ex.InnerException is JsonException)
        {
            return new DraftModelException(
                $"The AI service sent a malformed answer.{partial} Try again; if it keeps happening, use the offline draft.",
                retryable: true, errorCode: "malformed", innerException: ex);
        }
        if (Describe(ex, now) is not { } failure) return null;
        if (failure.Transport)
        {
            return new DraftModelException(
                received > 0
                    ? "The connection to the AI service was interrupted before the draft was complete, so the text received is incomplete. Try again."
                    : "The AI service could not be reached. Check the network connection and try again, or use the offline draft.",
                retryable: true, errorCode: "connection", innerException: ex is ClientResultException or RequestFailedException or ModelCallException ? ex.InnerException : ex);
        }
        var translated = FromStatus(failure.Status, failure.ErrorCode, partial, timeoutSeconds);
        translated.RetryAfter = failure.RetryAfter;
        return translated;
    }

    /// <summary>The service's wait: retry-after-ms (Azure OpenAI), else Retry-After in seconds or as an HTTP date.</summary>
    internal static TimeSpan? RetryAfter(Func<string, string?> header, DateTimeOffset now)
    {
        if (double.TryParse(header("retry-after-ms"), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            return TimeSpan.FromMilliseconds(millis);
        var value = header("Retry-After");
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
            return TimeSpan.FromSeconds(seconds);
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at - now is { Ticks: > 0 } wait ? wait : TimeSpan.Zero
            : null;
    }

    /// <summary>error.code (or error.innererror.code) of an OpenAI-style error body; the message is not read.</summary>
    private static string? ErrorCodeOf(System.ClientModel.Primitives.PipelineResponse? response)
    {
        try
        {
            if (response?.Content is not { } content || content.ToMemory().IsEmpty) return null;
            using var doc = JsonDocument.Parse(content.ToMemory());
            if (!doc.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object) return null;
            if (error.TryGetProperty("innererror", out var inner) && inner.ValueKind == JsonValueKind.Object
                && inner.TryGetProperty("code", out var innerCode) && innerCode.ValueKind == JsonValueKind.String
                && innerCode.GetString() is { } ic && ic.Contains("ResponsibleAIPolicyViolation", StringComparison.OrdinalIgnoreCase))
            {
                return ic;
            }
            return error.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String ? code.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    internal static DraftModelException FromStatus(int status, string? errorCode, string partial, int timeoutSeconds)
    {
        var code = errorCode ?? "";
        if (code.Contains("content_filter", StringComparison.OrdinalIgnoreCase) || code.Contains("ResponsibleAIPolicyViolation", StringComparison.OrdinalIgnoreCase))
        {
            return new DraftModelException(
                "The AI service's content filter blocked this request, so no AI draft was produced. Write the summary yourself or use the offline draft.",
                retryable: false, status, errorCode);
        }

        return status switch
        {
            408 => new DraftModelException(
                $"The AI service did not respond within {timeoutSeconds} seconds.{partial} Try again; if it keeps happening, use the offline draft.",
                retryable: true, status, errorCode),
            429 => new DraftModelException(
                $"The AI service is busy (rate limit reached).{partial} Wait a minute and try again, or use the offline draft.",
                retryable: true, status, errorCode),
            401 or 403 => new DraftModelException(
                "The AI service refused the application's credentials. Ask an administrator to check the model configuration; meanwhile use the offline draft.",
                retryable: false, status, errorCode),
            404 => new DraftModelException(
                "The configured AI model deployment was not found. Ask an administrator to check the model configuration; meanwhile use the offline draft.",
                retryable: false, status, errorCode),
            >= 500 => new DraftModelException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The AI service is temporarily unavailable (HTTP {status}).{partial} Try again in a few minutes, or use the offline draft."),
                retryable: true, status, errorCode),
            _ => new DraftModelException(
                string.Create(CultureInfo.InvariantCulture,
                    $"The AI service rejected the request (HTTP {status}{(errorCode is { Length: > 0 } ? ", " + errorCode : "")}). Ask an administrator to check the model configuration; meanwhile use the offline draft."),
                retryable: false, status, errorCode),
        };
    }
}

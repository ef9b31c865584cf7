using System.ClientModel;
using System.Globalization;
using Azure;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// A provider's failed call as it leaves the pipeline's retry layer (<see cref="ModelRetryChatClient"/>): the status,
/// error code and Retry-After only. The SDK's own exception is dropped when it carries the service's error body
/// (which can echo request content) and kept for transport failures, so that the telemetry and logging layers above
/// never record the service's error text.
/// </summary>
public sealed class ModelCallException(ModelFailure failure, Exception source)
    : Exception(Describe(failure), source is ClientResultException or RequestFailedException or AggregateException ? null : source)
{
    public ModelFailure Failure { get; } = failure;

    private static string Describe(ModelFailure f) => f.Transport
        ? "The model endpoint could not be reached or the connection failed."
        : string.Create(CultureInfo.InvariantCulture,
            $"The model endpoint answered HTTP {f.Status}{(f.ErrorCode is { Length: > 0 } code ? " (" + code + ")" : "")}.");
}

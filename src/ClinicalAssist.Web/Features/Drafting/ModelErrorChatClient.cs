using System.ClientModel;
using System.Runtime.CompilerServices;
using Azure;
using Microsoft.Extensions.AI;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The innermost layer of the model pipeline, right above the provider: turns the SDKs' failed calls into
/// <see cref="ModelCallException"/> (status, error code, Retry-After — never the service's error text), so that the
/// OpenTelemetry span's status and the logs above carry no content the service may have echoed.
/// </summary>
public sealed class ModelErrorChatClient(IChatClient inner, TimeProvider time) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (Wrap(ex) is { } wrapped)
        {
            throw wrapped;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages,
        ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false)) yield break;
                }
                catch (Exception ex) when (Wrap(ex) is { } wrapped)
                {
                    throw wrapped;
                }
                yield return updates.Current;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ModelCallException? Wrap(Exception ex) =>
        ex is OperationCanceledException or ModelCallException || ModelFailures.Describe(ex, time.GetUtcNow()) is not { } failure
            ? null
            : new ModelCallException(failure, ex is ClientResultException or RequestFailedException or AggregateException ? null : ex);
}

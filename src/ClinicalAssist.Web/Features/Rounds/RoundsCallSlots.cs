using ClinicalAssist.Web.Features.Drafting;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>
/// The <see cref="RoundsOptions.MaxConcurrency"/> model-call slots shared by every rounds batch. A slot is held only
/// while the answer streams (context and prompt are prepared outside it). Not a retry or pacing layer: a 429 is waited
/// out by the model pipeline (<see cref="ModelRetryChatClient"/> and the deployment's <see cref="ModelRateLimitPace"/>).
/// </summary>
public sealed class RoundsCallSlots(IOptions<RoundsOptions> options)
{
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrency, options.Value.MaxConcurrency);

    /// <summary>The drafter for one patient's draft: calls <paramref name="model"/> once, inside a slot.</summary>
    public IDraftModel Hold(IDraftModel model) => new SlottedModel(model, _slots);

    private sealed class SlottedModel(IDraftModel inner, SemaphoreSlim slots) : IDraftModel
    {
        public string DisplayName => inner.DisplayName;
        public bool IsAi => inner.IsAi;
        public string ModelId => inner.ModelId;

        public async IAsyncEnumerable<string> StreamAsync(DraftRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                await foreach (var chunk in inner.StreamAsync(request, cancellationToken)) yield return chunk;
            }
            finally
            {
                slots.Release();
            }
        }
    }
}

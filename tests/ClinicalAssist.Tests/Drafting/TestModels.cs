using Azure.Core;
using ClinicalAssist.Web.Features.Drafting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClinicalAssist.Tests.Drafting;

/// <summary>Drafters built the way the product builds them (<see cref="DraftModelFactory"/>), with a 10 ms first
/// back-off so retries do not slow the tests down.</summary>
internal static class TestModels
{
    public static DraftModelFactory Factory(Func<ModelOptions, HttpMessageHandler>? handler = null, TimeProvider? time = null, ILoggerFactory? logs = null) =>
        new(logs ?? NullLoggerFactory.Instance, time ?? TimeProvider.System, new PromptInjectionDetector())
        {
            RetryBaseDelay = TimeSpan.FromMilliseconds(10),
            Handler = handler,
        };

    public static ChatClientDraftModel Create(ModelOptions options, TokenCredential? credential = null, Func<ModelOptions, HttpMessageHandler>? handler = null,
        TimeProvider? time = null, ILoggerFactory? logs = null) =>
        (ChatClientDraftModel)Factory(handler, time, logs).Create(options, credential);
}

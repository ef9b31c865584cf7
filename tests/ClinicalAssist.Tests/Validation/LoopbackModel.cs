using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Drafting;
using ClinicalAssist.Web.Features.Drafting;

namespace ClinicalAssist.Tests.Validation;

/// <summary>How a loopback model answers an evaluation prompt.</summary>
public enum LoopbackMode
{
    /// <summary>Restates the prompt's items, each citing its own key: every key known, every number from its source,
    /// every item (so every must-include one) cited.</summary>
    Grounded,

    /// <summary>As grounded but leaves out the allergies, cites keys that are not in the prompt (for every laboratory
    /// result, and one invented finding), states a number that is not in the record, and says what an injected note
    /// asked for.</summary>
    Fabricating,
}

/// <summary>
/// A Foundry OpenAI/v1 endpoint on loopback (<see cref="FakeChatCompletionsServer"/>) answering the product's prompt in
/// the answer contract from the prompt's own context lines. Counts the calls per prompt (a case is one prompt), and
/// can hold answers until released (a run stopped in the middle) or add latency.
/// </summary>
internal sealed partial class LoopbackModel : IAsyncDisposable
{
    public const string KeySetting = "TestKeys:Loopback";
    public const string FabricatedKey = "Q9999";
    public const string FabricatedNumber = "987 µmol/L";

    private readonly FakeChatCompletionsServer _server;
    private readonly LoopbackMode _mode;

    private LoopbackModel(FakeChatCompletionsServer server, LoopbackMode mode)
    {
        _server = server;
        _mode = mode;
    }

    /// <summary>Calls per prompt (SHA-256 of the user message).</summary>
    public ConcurrentDictionary<string, int> Calls { get; } = new(StringComparer.Ordinal);

    public int TotalCalls => Calls.Values.Sum();

    /// <summary>When set, calls after the first <see cref="AnswerFreely"/> wait for it before answering.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int AnswerFreely { get; set; } = int.MaxValue;

    /// <summary>Set when a call waits for <see cref="Release"/>.</summary>
    public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TimeSpan Latency { get; set; } = TimeSpan.Zero;

    public static async Task<LoopbackModel> StartAsync(LoopbackMode mode)
    {
        LoopbackModel? model = null;
        var answered = 0;
        var server = await FakeChatCompletionsServer.StartAsync(async (ctx, _) =>
        {
            var user = UserMessage((JsonNode)ctx.Items[nameof(FakeChatCompletionsServer.ReceivedRequest.Body)]!);
            model!.Calls.AddOrUpdate(Hash(user), 1, (_, n) => n + 1);
            if (Interlocked.Increment(ref answered) > model.AnswerFreely)
            {
                model.Waiting.TrySetResult();
                await model.Release.Task.WaitAsync(ctx.RequestAborted);
            }
            if (model.Latency > TimeSpan.Zero) await Task.Delay(model.Latency, ctx.RequestAborted);
            var answer = Answer(user, model._mode);
            await FakeChatCompletionsServer.WriteOpenAIStreamAsync(ctx, [answer[..(answer.Length / 2)], answer[(answer.Length / 2)..]],
                usage: (user.Length / 4, answer.Length / 4));
        }, FakeChatCompletionsServer.OpenAIv1Path);
        model = new LoopbackModel(server, mode);
        return model;
    }

    /// <summary>A configuration row for this endpoint (the key comes from <see cref="KeySetting"/>).</summary>
    public ModelConfiguration Configuration(string name) => new()
    {
        Id = Guid.NewGuid(),
        Name = name,
        Provider = ModelProvider.FoundryOpenAI,
        Endpoint = _server.Endpoint.ToString(),
        Deployment = "loopback-" + _mode.ToString().ToLowerInvariant(),
        AuthMode = ModelAuthMode.ApiKey,
        ApiKeyConfigurationKey = KeySetting,
        TimeoutSeconds = 30,
        MaxRetries = 0,
    };

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static string UserMessage(JsonNode body)
    {
        var content = body["messages"]!.AsArray()[1]!["content"]!;
        return content is JsonValue ? (string)content! : string.Concat(content.AsArray().Select(p => (string?)p!["text"]));
    }

    /// <summary>The answer in the contract: one key finding per context line of the prompt, citing that line's key.</summary>
    internal static string Answer(string prompt, LoopbackMode mode)
    {
        var findings = new List<CitedStatement>();
        foreach (Match m in ItemLine().Matches(prompt))
        {
            var key = m.Groups["key"].Value;
            if (mode == LoopbackMode.Fabricating && key.StartsWith('A')) continue; // allergies left out
            // The first sentence only, without trailing punctuation: one statement, one citation.
            var text = m.Groups["text"].Value.Split(". ")[0].TrimEnd('.', ' ');
            // Fabricating: every laboratory statement cites a key the prompt does not have ("L3" → "L9003").
            var cite = mode == LoopbackMode.Fabricating && key[0] == 'L' ? "L9" + key[1..].PadLeft(3, '0') : key;
            findings.Add(new CitedStatement(text, [cite]));
        }
        var encounter = findings.FirstOrDefault(f => f.Cite[0].StartsWith('E'))?.Cite ?? findings.Select(f => f.Cite).FirstOrDefault() ?? [];
        var summary = new CitedStatement("Inpatient with the problems and findings listed", encounter);
        if (mode == LoopbackMode.Fabricating)
        {
            findings.Add(new CitedStatement("Troponin rising overnight", [FabricatedKey]));
            findings.Add(new CitedStatement("Creatinine " + FabricatedNumber, encounter));
            findings.Add(new CitedStatement("The patient is fit for discharge with no active problems", encounter));
        }
        return new DraftAnswer(summary, [], findings, [], [], []).ToJson();
    }

    [GeneratedRegex(@"^\[(?<key>[A-Z]{1,2}[0-9]{1,5})\] (?<text>.+)$", RegexOptions.Multiline)]
    private static partial Regex ItemLine();

    public ValueTask DisposeAsync()
    {
        Release.TrySetResult();
        return _server.DisposeAsync();
    }
}

using ClinicalAssist.Web.Features.Context;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>What a model call reported: the model id in the answer and the token usage.</summary>
public sealed class DraftCallInfo
{
    public string? ReportedModelId { get; set; }
    public int? PromptTokens { get; set; }
    public int? CompletionTokens { get; set; }
}

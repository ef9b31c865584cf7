using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Web.Features.Context;
using Microsoft.ML.Tokenizers;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>How a prompt is built: the token budget and tokenizer of the model configuration, and whether the
/// patient is described by age and sex only (<see cref="Minimise"/>, the default). Stored with every draft.</summary>
public sealed record PromptSettings(int TokenBudget = PromptSettings.DefaultTokenBudget, string Tokenizer = PromptSettings.DefaultTokenizer, bool Minimise = true)
{
    public const int DefaultTokenBudget = 12000;
    public const string DefaultTokenizer = "o200k_base";
    public static readonly PromptSettings Default = new();
}

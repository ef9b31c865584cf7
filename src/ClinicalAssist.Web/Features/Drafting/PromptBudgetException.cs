using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Web.Features.Context;
using Microsoft.ML.Tokenizers;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>The token budget cannot hold even the instructions: a configuration problem, shown to the clinician.</summary>
public sealed class PromptBudgetException(string message) : Exception(message);

using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Web.Features.Context;
using Microsoft.ML.Tokenizers;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>One version of a prompt template: the markdown body with its SYSTEM and USER parts.</summary>
public sealed record PromptTemplate(string TemplateId, int Version, string Body);

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>How an answer was read.</summary>
public enum AnswerParse
{
    /// <summary>Valid JSON in the contract's shape.</summary>
    Structured,

    /// <summary>Not valid JSON (or not the contract): shown as raw text, marked unverified.</summary>
    RawText,
}

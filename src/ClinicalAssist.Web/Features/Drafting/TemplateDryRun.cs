using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>A dry run: the prompt a template renders for a generated demo patient, its token count against the
/// budget in force, and what the budget left out. No model is called.</summary>
public sealed record TemplateDryRun(string PatientLabel, RenderedPrompt Prompt, int TokenBudget, string Tokenizer);

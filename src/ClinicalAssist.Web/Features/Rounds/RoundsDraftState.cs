using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>What the rounds list says about a patient's draft.</summary>
public enum RoundsDraftState
{
    None,
    Preparing,
    Ready,
    Signed,
    NeedsAttention,
}

using System.Collections.Concurrent;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Rounds;

/// <summary>The outcome of a batch command: done, or refused with a message the user can act on.</summary>
public sealed record RoundsResult(bool Succeeded, string Message, Guid? BatchId = null);

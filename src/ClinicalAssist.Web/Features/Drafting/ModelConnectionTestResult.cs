using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Azure.Core;
using Azure.Identity;
using ClinicalAssist.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>Outcome of "Test connection": latency and the model id the endpoint reported, or the error.</summary>
public sealed record ModelConnectionTestResult(bool Success, TimeSpan Latency, string? ReportedModelId, string? Error);

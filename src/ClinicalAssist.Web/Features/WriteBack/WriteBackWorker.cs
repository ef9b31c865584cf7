using System.Globalization;
using System.Net;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Task = System.Threading.Tasks.Task;

namespace ClinicalAssist.Web.Features.WriteBack;

/// <summary>Runs the write-back queue in the background while write-back is enabled.</summary>
public sealed class WriteBackWorker(WriteBackProcessor processor, WriteBackQueue queue, IOptions<WriteBackOptions> options,
    TimeProvider time, ILogger<WriteBackWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!queue.IsEnabled) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(options.Value.PollIntervalMilliseconds), time);
        do
        {
            try
            {
                await processor.ProcessDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex.GetType().Name + " in the FHIR write-back queue; it keeps running.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }
}

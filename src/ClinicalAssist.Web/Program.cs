using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using ClinicalAssist.Web.Features.Rounds;
using ClinicalAssist.Web.Features.Validation;
using ClinicalAssist.Web.Features.WriteBack;
using ClinicalAssist.Web.Infrastructure;

// `verify-audit`: check the audit chain of the configured database and exit (VerifyAuditCommand); no server starts.
var verifyAudit = VerifyAuditCommand.IsRequested(args);
var builder = WebApplication.CreateBuilder(verifyAudit ? args[1..] : args);
if (verifyAudit) builder.Logging.ClearProviders(); // the result is the one line on standard output

builder.AddClinicalAssistWeb();
builder.AddClinicalAssistData();
builder.AddClinicalAssistIdentity();
builder.AddPatientContext();
builder.AddDrafting();
builder.AddReview();
builder.AddRounds();
builder.AddWriteBack();
builder.AddGovernance();
builder.AddAdmin();
builder.AddValidation();
builder.AddHealthAndLimits();
builder.AddClinicalAssistTelemetry();

var app = builder.Build();

if (verifyAudit)
{
    var exitCode = await VerifyAuditCommand.RunAsync(app.Services, Console.Out, CancellationToken.None);
    await app.DisposeAsync();
    return exitCode;
}

if (!await app.TryInitializeDatabaseAsync())
{
    await app.DisposeAsync(); // flushes the log
    return 1;
}
app.UseClinicalAssistPipeline();
app.MapAuditExport();
app.MapAdmin();
app.MapHealth();
app.Run();
return 0;

/// <summary>Visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;

using ClinicalAssist.Web.Features.Admin;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using ClinicalAssist.Web.Features.Rounds;
using ClinicalAssist.Web.Features.WriteBack;
using ClinicalAssist.Web.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

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
builder.AddHealthAndLimits();
builder.AddClinicalAssistTelemetry();

var app = builder.Build();

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

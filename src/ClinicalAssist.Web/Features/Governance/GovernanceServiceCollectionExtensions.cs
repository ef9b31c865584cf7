using System.Globalization;
using System.Text;
using ClinicalAssist.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Governance;

public static class GovernanceServiceCollectionExtensions
{
    /// <summary>The audit trail: writer, viewer query, CSV export, chain verifier and the retention job.</summary>
    public static IHostApplicationBuilder AddGovernance(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<AuditQuery>();
        builder.Services.AddSingleton<AuditChainVerifier>();
        builder.Services.AddSingleton<ModelCardStore>();
        builder.Services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHostedService<AuditRetentionService>();
        return builder;
    }

    /// <summary>GET /admin/audit/export.csv?user=&amp;patient=&amp;action=&amp;from=&amp;to= (Admin only; the export itself is audited).</summary>
    public static IEndpointConventionBuilder MapAuditExport(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/admin/audit/export.csv", async (HttpContext http, AuditQuery query, AuditLog audit,
            string? user, string? patient, string? action, DateTimeOffset? from, DateTimeOffset? to) =>
        {
            var filter = new AuditFilter { User = user, PatientId = patient, Action = action, From = from, To = to };
            await audit.WriteAsync(AuditActions.AuditExported, Actor.From(http.User),
                details: $"user={user} patient={patient} action={action} from={from:O} to={to:O}", cancellationToken: http.RequestAborted);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=audit-{DateTime.UtcNow:yyyyMMdd-HHmmss}.csv";
            await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
            await query.WriteCsvAsync(filter, writer, http.RequestAborted);
        }).RequireAuthorization(Infrastructure.Policies.Admin);
}

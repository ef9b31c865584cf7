using System.Globalization;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Admin;

public static class QualityMetricsEndpoints
{
    /// <summary>GET /admin/quality/export.csv?from=&amp;to=&amp;configuration=&amp;template=&amp;version= (Admin only; audited).</summary>
    public static IEndpointConventionBuilder MapQualityExport(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/admin/quality/export.csv", async (HttpContext http, QualityMetrics metrics, AuditLog audit,
            DateTimeOffset? from, DateTimeOffset? to, Guid? configuration, string? template, int? version) =>
        {
            if (QualityMetrics.ParseFilter(from, to, configuration, template, version) is not { } filter)
            {
                return Results.BadRequest("Give a period: from and to (ISO 8601), with from before to.");
            }
            await audit.WriteAsync(AuditActions.QualityMetricsExported, Actor.From(http.User),
                details: string.Create(CultureInfo.InvariantCulture, $"from={filter.From:O} to={filter.To:O} configuration={configuration} template={template} version={version}"),
                cancellationToken: http.RequestAborted);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=quality-{filter.From:yyyyMMdd}-{filter.To:yyyyMMdd}.csv";
            await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
            await metrics.WriteCsvAsync(filter, writer, http.RequestAborted);
            return Results.Empty;
        }).RequireAuthorization(Infrastructure.Policies.Admin);
}

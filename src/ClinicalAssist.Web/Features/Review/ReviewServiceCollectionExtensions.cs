using ClinicalAssist.Web.Components.Shared;
using ClinicalAssist.Web.Features.Governance;

namespace ClinicalAssist.Web.Features.Review;

public static class ReviewServiceCollectionExtensions
{
    /// <summary>Sign-off, rejection, review decisions and the audit trail they write.</summary>
    public static IHostApplicationBuilder AddReview(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<DraftWorkflow>();
        builder.Services.AddScoped<CitationOpener>();
        return builder;
    }
}

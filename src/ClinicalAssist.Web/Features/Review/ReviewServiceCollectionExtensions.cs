using ClinicalAssist.Web.Components.Shared;

namespace ClinicalAssist.Web.Features.Review;

public static class ReviewServiceCollectionExtensions
{
    /// <summary>Sign-off, rejection, review decisions and the audit trail they write.</summary>
    public static IHostApplicationBuilder AddReview(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<DraftWorkflow>();
        builder.Services.AddSingleton<ReviewQueueQuery>();
        builder.Services.AddScoped<CitationOpener>();
        return builder;
    }
}

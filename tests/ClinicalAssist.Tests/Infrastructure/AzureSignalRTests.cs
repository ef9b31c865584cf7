using ClinicalAssist.Web.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicalAssist.Tests.Infrastructure;

public sealed class AzureSignalRTests
{
    private static IServiceCollection Services(string? connectionString)
    {
        var builder = WebApplication.CreateBuilder();
        if (connectionString is not null) builder.Configuration["Azure:SignalR:ConnectionString"] = connectionString;
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.AddAzureSignalRIfConfigured();
        return builder.Services;
    }

    private static bool HasAzureSignalR(IServiceCollection services) =>
        services.Any(d => d.ServiceType.Assembly.GetName().Name == "Microsoft.Azure.SignalR"
                          || d.ImplementationType?.Assembly.GetName().Name == "Microsoft.Azure.SignalR");

    [Fact]
    public void A_connection_string_routes_circuits_through_Azure_SignalR_Service()
    {
        var services = Services("Endpoint=https://clinicalassist.service.signalr.net;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefgh=;Version=1.0;");
        Assert.True(HasAzureSignalR(services));
        using var provider = services.BuildServiceProvider();
        var options = provider.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.Azure.SignalR.ServiceOptions>>().Value;
        Assert.Equal(Microsoft.Azure.SignalR.ServerStickyMode.Required, options.ServerStickyMode);
        Assert.StartsWith("Endpoint=https://clinicalassist.service.signalr.net", options.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_one_the_app_serves_circuits_itself() => Assert.False(HasAzureSignalR(Services(null)));
}

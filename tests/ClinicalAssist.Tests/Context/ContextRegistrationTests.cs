using ClinicalAssist.Web.Features.Context;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using static ClinicalAssist.Tests.Context.ContextTestSupport;

namespace ClinicalAssist.Tests.Context;

public sealed class ContextRegistrationTests
{
    private static IHost Host(params (string Key, string? Value)[] settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(Now));
        builder.AddPatientContext();
        return builder.Build();
    }

    [Fact]
    public void Defaults_to_the_demo_source()
    {
        using var host = Host();

        var options = host.Services.GetRequiredService<IOptions<FhirOptions>>().Value;
        Assert.Equal(FhirSourceKind.Demo, options.Source);
        Assert.Equal(30, options.TimeoutSeconds);
        Assert.Equal(50, options.MaxPages);
        Assert.Equal(1000, options.PageSize); // record searches ask _count up to the cap; servers clamp it
        Assert.Equal(12, options.DemoPatientCount);
        Assert.IsType<DemoRecordSource>(host.Services.GetRequiredService<IPatientRecordSource>());
        Assert.Same(host.Services.GetRequiredService<IPatientRecordSource>(), host.Services.GetRequiredService<IPatientRecordSource>());
    }

    [Fact]
    public void Directory_source_is_chosen_from_configuration()
    {
        using var host = Host(("Fhir:Source", "Directory"), ("Fhir:DirectoryPath", SyntheaDirectory()));

        Assert.IsType<DirectoryRecordSource>(host.Services.GetRequiredService<IPatientRecordSource>());
    }

    [Theory]
    [InlineData("Directory", null, null, null, "DirectoryPath")]
    [InlineData("Directory", "/definitely/not/here", null, null, "DirectoryPath")]
    [InlineData("Server", null, null, null, "ServerBaseUrl")]
    [InlineData("Server", null, "fhir.example.org/r4", null, "ServerBaseUrl")]
    [InlineData("Server", null, "ftp://fhir.example.org/r4", null, "ServerBaseUrl")]
    [InlineData("Server", null, "http://fhir.example.org/r4", "secret", "BearerToken")]
    public void Invalid_configuration_fails_validation(string source, string? directory, string? url, string? token, string expected)
    {
        using var host = Host(("Fhir:Source", source), ("Fhir:DirectoryPath", directory), ("Fhir:ServerBaseUrl", url), ("Fhir:BearerToken", token));

        var error = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<FhirOptions>>().Value);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://fhir.example.org/r4", "secret")]
    [InlineData("http://127.0.0.1:8080/fhir", "secret")]
    [InlineData("http://fhir.example.org/r4", null)]
    public void Valid_server_configuration_passes(string url, string? token)
    {
        using var host = Host(("Fhir:Source", "Server"), ("Fhir:ServerBaseUrl", url), ("Fhir:BearerToken", token));

        Assert.Equal(url, host.Services.GetRequiredService<IOptions<FhirOptions>>().Value.ServerBaseUrl);
    }

    [Fact]
    public void Out_of_range_numbers_fail_validation()
    {
        using var host = Host(("Fhir:PageSize", "0"));

        Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<FhirOptions>>().Value);
    }
}

namespace ClinicalAssist.Tests.WriteBack;

/// <summary>A plain HttpClient for the write-back processor in tests (no authentication or resilience handler).</summary>
internal sealed class PlainHttpClientFactory : IHttpClientFactory
{
    public HttpClient CreateClient(string name) => new();
}

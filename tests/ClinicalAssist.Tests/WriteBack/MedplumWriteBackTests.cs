#nullable disable warnings
using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Context;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using ClinicalAssist.Web.Features.WriteBack;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Task = System.Threading.Tasks.Task;

namespace ClinicalAssist.Tests.WriteBack;

/// <summary>
/// Write-back against an independent FHIR engine (Medplum's in-memory server, see tests/medplum-host): the
/// transaction is accepted, read back with its labels, agents, entities and references, found by
/// <c>Provenance?target=</c>, and a retry after a server 500 (answer lost after commit) leaves exactly one document.
/// </summary>
public sealed class MedplumWriteBackTests : IAsyncLifetime
{
    private const string SmallPatient = "Floyd_Connelly_66843218-a9f9-4f16-8347-bdc2a0d14265.json";
    private static readonly Actor Clinician = new("u-clin", "Dr Alex Morgan");
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private MedplumServer _medplum = null!;
    private TestDatabase _db = null!;
    private FhirClient _fhir = null!;
    private string _patientId = "";
    private string _observation = "";
    private string _condition = "";
    private Guid _configId;

    public async ValueTask InitializeAsync()
    {
        _medplum = await MedplumServer.StartAsync(Ct);
        using (var http = new HttpClient())
        {
            await _medplum.LoadTransactionAsync(http, Path.Combine(ContextTestSupport.SyntheaDirectory(), SmallPatient), Ct);
        }
        _fhir = new FhirClient(_medplum.BaseUrl, new HttpClient(), new FhirClientSettings { PreferredFormat = ResourceFormat.Json, VerifyFhirVersion = false });
        var patient = (await _fhir.SearchAsync<Patient>(["_count=1"], ct: Ct)).Entry.Select(e => e.Resource).OfType<Patient>().First();
        _patientId = patient.Id;
        var observation = (await _fhir.SearchAsync<Observation>([$"subject=Patient/{_patientId}", "_count=1"], ct: Ct)).Entry.Select(e => e.Resource).OfType<Observation>().First();
        var condition = (await _fhir.SearchAsync<Condition>([$"subject=Patient/{_patientId}", "_count=1"], ct: Ct)).Entry.Select(e => e.Resource).OfType<Condition>().First();
        _observation = $"Observation/{observation.Id}/_history/{observation.Meta.VersionId}";
        _condition = $"Condition/{condition.Id}/_history/{condition.Meta.VersionId}";

        _db = await TestDatabase.CreateAsync();
        await using var db = _db.CreateDbContext();
        // The seeded test account (TestStaff) with this test's name and email.
        var clinician = await db.Users.SingleAsync(u => u.Id == Clinician.Id, Ct);
        (clinician.UserName, clinician.Email, clinician.DisplayName) = ("clinician@demo.local", "clinician@demo.local", Clinician.Name);
        var config = new ModelConfiguration { Name = "Foundry GPT-4o", Provider = ModelProvider.AzureAIInference, Deployment = "gpt-4o", IsActive = true };
        db.ModelConfigurations.Add(config);
        await db.SaveChangesAsync(Ct);
        _configId = config.Id;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts) await host.DisposeAsync();
        _fhir.Dispose();
        await _db.DisposeAsync();
        await _medplum.DisposeAsync();
    }

    private async Task<Guid> SignedDraftAsync(Uri serverBase, string? encounterId = null)
    {
        var draft = new Draft
        {
            PatientId = _patientId, PatientLabel = "Synthea patient", RecordSource = "Server",
            DrafterName = "Azure AI Foundry · gpt-4o", ModelId = "gpt-4o", ReportedModelId = "gpt-4o-2024-11-20", IsAiGenerated = true,
            ModelConfigurationId = _configId, TemplateId = "clinical-summary", TemplateVersion = 1, Status = DraftStatus.Draft,
            GeneratedText = WriteBackTests.SignedText, CreatedById = Clinician.Id, CreatedByName = Clinician.Name, CreatedAt = _clock.GetUtcNow(),
            CitationsJson = JsonSerializer.Serialize(new Dictionary<string, string> { ["L1"] = _observation, ["P1"] = _condition }),
            EncounterId = encounterId,
        };
        await using (var db = _db.CreateDbContext())
        {
            db.Drafts.Add(draft);
            await db.SaveChangesAsync(Ct);
        }
        var workflow = new DraftWorkflow(_db, new AuditLog(_db, _clock), _clock, NullLogger<DraftWorkflow>.Instance, Queue(serverBase));
        Assert.True((await workflow.SignAsync(draft.Id, WriteBackTests.SignedText, attested: true, Clinician, Ct)).Succeeded);
        return draft.Id;
    }

    private static FhirOptions Fhir(Uri serverBase) => new() { Source = FhirSourceKind.Server, ServerBaseUrl = serverBase.ToString(), TimeoutSeconds = 30 };

    private WriteBackQueue Queue(Uri serverBase) => new(_db, Microsoft.Extensions.Options.Options.Create(new WriteBackOptions { Enabled = true }),
        Microsoft.Extensions.Options.Options.Create(Fhir(serverBase)), new AuditLog(_db, _clock), _clock);

    private readonly List<TestHost> _hosts = [];

    private WriteBackProcessor Processor(Uri serverBase)
    {
        var host = TestHost.Create(_db, time: _clock, configure: services =>
        {
            TestHost.Use(services, new WriteBackOptions { Enabled = true, InitialBackoffSeconds = 5 });
            TestHost.Use(services, Fhir(serverBase));
            services.AddSingleton(WriteBackTests.Validator);
            // A plain client: the product's resilience handler would take its retry delays from the test's fake clock.
            services.AddSingleton<IHttpClientFactory>(new PlainHttpClientFactory());
        });
        _hosts.Add(host);
        return host.Get<WriteBackProcessor>();
    }

    private async Task<FhirWrite> WriteOfAsync(Guid draftId)
    {
        await using var db = _db.CreateDbContext();
        return await db.FhirWrites.AsNoTracking().SingleAsync(w => w.DraftId == draftId, Ct);
    }

    private async Task<List<T>> SearchAsync<T>(params string[] criteria) where T : Resource, new() =>
        (await _fhir.SearchAsync<T>(criteria, ct: Ct)).Entry.Select(e => e.Resource).OfType<T>().ToList();

    [Fact]
    public async Task The_written_document_reads_back_with_labels_agents_entities_and_references()
    {
        var draftId = await SignedDraftAsync(_medplum.BaseUrl);

        await Processor(_medplum.BaseUrl).ProcessDueAsync(Ct);

        var write = await WriteOfAsync(draftId);
        Assert.True(write.Status == FhirWriteStatus.Written, write.LastError);
        Assert.StartsWith("Composition/", write.DocumentReference);
        Assert.StartsWith("Provenance/", write.ProvenanceReference);

        var compositionId = write.DocumentReference.Split('/')[1];
        var composition = await _fhir.ReadAsync<Composition>($"Composition/{compositionId}", ct: Ct);
        Assert.Equal(CompositionStatus.Final, composition.Status);
        Assert.Contains(composition.Meta.Security, c => c.System == WriteBackBundleBuilder.ObservationValueSystem && c.Code == "AIAST");
        Assert.Equal($"Patient/{_patientId}", composition.Subject.Reference);
        Assert.Equal(WriteBackBundleBuilder.DocumentIdentifier(draftId), composition.Identifier.Value);
        var attester = Assert.Single(composition.Attester);
        Assert.StartsWith("Practitioner/", attester.Party.Reference);
        Assert.Contains(composition.Author, a => a.Reference?.StartsWith("Device/", StringComparison.Ordinal) == true);

        // Discovery as the AI Transparency IG describes it: Provenance by target.
        var provenance = Assert.Single(await SearchAsync<Provenance>($"target=Composition/{compositionId}"));
        Assert.Equal("AIAST", Assert.Single(provenance.Reason).Coding[0].Code);
        var author = provenance.Agent.Single(a => a.Type.Coding[0].Code == "author");
        Assert.StartsWith("Device/", author.Who.Reference);
        Assert.Equal("Artificial-Intelligence", author.Role[0].Coding[0].Code);
        var verifier = provenance.Agent.Single(a => a.Type.Coding[0].Code == "verifier");
        Assert.Equal(attester.Party.Reference, verifier.Who.Reference);
        Assert.Equal([_observation, _condition],
            provenance.Entity.Where(e => e.Role == Provenance.ProvenanceEntityRole.Source).Select(e => e.What.Reference));
        var derivations = provenance.Entity.Where(e => e.Role == Provenance.ProvenanceEntityRole.Derivation).Select(e => e.What.Reference).ToList();
        Assert.Equal(2, derivations.Count);

        // Every reference resolves on the server: the Device, the practitioner, the model card and the prompt.
        var device = await _fhir.ReadAsync<Device>(author.Who.Reference, ct: Ct);
        Assert.Equal("Artificial-Intelligence", device.Type.Coding[0].Code);
        Assert.NotNull(await _fhir.ReadAsync<Practitioner>(verifier.Who.Reference, ct: Ct));
        var documents = new List<DocumentReference>();
        foreach (var reference in derivations)
        {
            documents.Add(await _fhir.ReadAsync<DocumentReference>(reference, ct: Ct));
        }
        Assert.Equal(["AIModelCard", "AIInputPrompt"], documents.Select(d => d.Type.Coding[0].Code));
        Assert.All(documents, d => Assert.Equal("text/markdown", d.Content[0].Attachment.ContentType));

        // Keep one written transaction and what the server returned, for the docs.
        var serializer = new JsonSerializerOptions().ForFhir(ModelInfo.ModelInspector).Pretty();
        var artifacts = Path.Combine(ArtifactsDirectory(), "writeback");
        Directory.CreateDirectory(artifacts);
        await File.WriteAllTextAsync(Path.Combine(artifacts, "composition.json"), JsonSerializer.Serialize(composition, serializer), Ct);
        await File.WriteAllTextAsync(Path.Combine(artifacts, "provenance.json"), JsonSerializer.Serialize(provenance, serializer), Ct);
        var written = new Bundle { Type = Bundle.BundleType.Collection };
        foreach (var resource in new Resource[] { composition, provenance, device, await _fhir.ReadAsync<Practitioner>(verifier.Who.Reference, ct: Ct) }.Concat(documents))
        {
            written.Entry.Add(new Bundle.EntryComponent { FullUrl = new Uri(_medplum.BaseUrl, $"{resource.TypeName}/{resource.Id}").ToString(), Resource = resource });
        }
        await File.WriteAllTextAsync(Path.Combine(artifacts, "written-resources.json"), JsonSerializer.Serialize(written, serializer), Ct);

        // A second summary for the same model configuration reuses the Device.
        var second = await SignedDraftAsync(_medplum.BaseUrl);
        await Processor(_medplum.BaseUrl).ProcessDueAsync(Ct);
        Assert.Equal(FhirWriteStatus.Written, (await WriteOfAsync(second)).Status);
        Assert.Single(await SearchAsync<Device>($"identifier={WriteBackBundleBuilder.DeviceIdentifierSystem}|{_configId:D}"));
    }

    [Fact]
    public async Task A_retry_after_a_server_500_leaves_exactly_one_document()
    {
        await using var proxy = await FailingProxy.StartAsync(_medplum.BaseUrl);
        var draftId = await SignedDraftAsync(proxy.BaseUrl);

        await Processor(proxy.BaseUrl).ProcessDueAsync(Ct);
        var first = await WriteOfAsync(draftId);
        Assert.Equal(FhirWriteStatus.Pending, first.Status);
        Assert.Contains("error (500)", first.LastError, StringComparison.Ordinal);
        Assert.Equal(1, proxy.FailedTransactions);

        _clock.Advance(TimeSpan.FromMinutes(1));
        await Processor(proxy.BaseUrl).ProcessDueAsync(Ct);

        var done = await WriteOfAsync(draftId);
        Assert.Equal(FhirWriteStatus.Written, done.Status);
        var identifier = $"{WriteBackBundleBuilder.DocumentIdentifierSystem}|{WriteBackBundleBuilder.DocumentIdentifier(draftId)}";
        var compositions = await SearchAsync<Composition>($"identifier={identifier}");
        Assert.Single(compositions);
        Assert.Single(await SearchAsync<Provenance>($"target=Composition/{compositions[0].Id}"));
        Assert.Equal($"Composition/{compositions[0].Id}", string.Join('/', done.DocumentReference.Split('/').Take(2)));
    }

    [Fact]
    public async Task Two_instances_writing_back_at_once_send_each_of_20_summaries_once()
    {
        // Two instances (each its own instance id and work leases, one database) process the same due writes at the
        // same time, through a proxy that counts the transactions the server receives.
        await using var proxy = await FailingProxy.StartAsync(_medplum.BaseUrl, failFirstTransaction: false);
        // 20 summaries of 20 episodes (a sign-off supersedes the signed summary of the same episode): the patient's
        // encounters, then episodes the server does not hold (it does not check references on write).
        var encounters = (await _fhir.SearchAsync<Encounter>([$"subject=Patient/{_patientId}", "_count=20"], ct: Ct)).Entry
            .Select(e => e.Resource).OfType<Encounter>().Select(e => e.Id).ToList();
        encounters.AddRange(Enumerable.Range(encounters.Count, 20 - encounters.Count).Select(i => $"episode-{i}"));
        var drafts = new List<Guid>();
        foreach (var encounter in encounters) drafts.Add(await SignedDraftAsync(proxy.BaseUrl, encounter));
        var a = Processor(proxy.BaseUrl);
        var b = Processor(proxy.BaseUrl);
        Assert.NotSame(a, b);
        for (var round = 0; round < 5 && !await AllWrittenAsync(); round++)
        {
            await Task.WhenAll(Task.Run(() => a.ProcessDueAsync(Ct), Ct), Task.Run(() => b.ProcessDueAsync(Ct), Ct));
        }

        await using (var check = _db.CreateDbContext())
        {
            var states = await check.FhirWrites.AsNoTracking().Select(w => w.Status + " " + w.Attempts + " " + w.LastError).ToListAsync(Ct);
            Assert.True(await AllWrittenAsync(), string.Join("\n", states));
        }
        Assert.Equal(20, proxy.Transactions); // no write sent twice
        foreach (var draftId in drafts)
        {
            var identifier = $"{WriteBackBundleBuilder.DocumentIdentifierSystem}|{WriteBackBundleBuilder.DocumentIdentifier(draftId)}";
            var composition = Assert.Single(await SearchAsync<Composition>($"identifier={identifier}"));
            Assert.Single(await SearchAsync<Provenance>($"target=Composition/{composition.Id}"));
        }

        async Task<bool> AllWrittenAsync()
        {
            await using var db = _db.CreateDbContext();
            return await db.FhirWrites.CountAsync(w => w.Status == FhirWriteStatus.Written, Ct) == 20;
        }
    }

    [Fact]
    public async Task The_same_transaction_sent_again_when_the_search_misses_leaves_one_document_and_one_Provenance()
    {
        // A server whose search index has not caught up: the retry's look-up finds nothing, so the transaction goes
        // again, and only the conditional creates keep the server from holding two documents and two Provenances.
        await using var proxy = await FailingProxy.StartAsync(_medplum.BaseUrl, failFirstTransaction: false, hideDocumentSearch: true);
        var draftId = await SignedDraftAsync(proxy.BaseUrl);
        await Processor(proxy.BaseUrl).ProcessDueAsync(Ct);
        Assert.Equal(FhirWriteStatus.Written, (await WriteOfAsync(draftId)).Status);

        // The instance that sent it died before recording the answer: the write is due again.
        await using (var db = _db.CreateDbContext())
        {
            await db.FhirWrites.Where(w => w.DraftId == draftId).ExecuteUpdateAsync(u => u
                .SetProperty(w => w.Status, FhirWriteStatus.Pending).SetProperty(w => w.NextAttemptAt, _clock.GetUtcNow()), Ct);
        }
        await Processor(proxy.BaseUrl).ProcessDueAsync(Ct);

        Assert.Equal(FhirWriteStatus.Written, (await WriteOfAsync(draftId)).Status);
        Assert.Equal(2, proxy.Transactions);
        var identifier = $"{WriteBackBundleBuilder.DocumentIdentifierSystem}|{WriteBackBundleBuilder.DocumentIdentifier(draftId)}";
        var composition = Assert.Single(await SearchAsync<Composition>($"identifier={identifier}"));
        Assert.Single(await SearchAsync<Provenance>($"target=Composition/{composition.Id}"));
    }

    private static string ArtifactsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ClinicalAssist.sln"))) return Path.Combine(dir.FullName, "artifacts");
        }
        return Path.Combine(Path.GetTempPath(), "clinicalassist-artifacts");
    }


    /// <summary>Forwards everything to the FHIR server. Optionally the first transaction is committed there and then
    /// answered with 500 (the answer is lost), as a gateway timing out after the server did the work would; optionally
    /// searches for documents by identifier answer empty, as a server whose search index lags would.</summary>
    private sealed class FailingProxy : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _failed;
        private int _transactions;

        private FailingProxy(WebApplication app) => _app = app;

        public Uri BaseUrl { get; private set; } = null!;
        public int FailedTransactions => _failed;
        public int Transactions => _transactions;

        public static async Task<FailingProxy> StartAsync(Uri target, bool failFirstTransaction = true, bool hideDocumentSearch = false)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            var proxy = new FailingProxy(app);
            var http = new HttpClient();
            app.Map("/fhir/{**rest}", async (HttpContext context, string? rest) =>
            {
                using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), new Uri(target, (rest ?? "") + context.Request.QueryString));
                if (context.Request.ContentLength > 0 || context.Request.Method == "POST")
                {
                    var body = new MemoryStream();
                    await context.Request.Body.CopyToAsync(body);
                    request.Content = new ByteArrayContent(body.ToArray());
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", context.Request.ContentType ?? "application/fhir+json");
                }
                if (hideDocumentSearch && context.Request.Method == "GET" && rest is "Composition" or "DocumentReference"
                    && context.Request.Query.ContainsKey("identifier"))
                {
                    context.Response.ContentType = "application/fhir+json";
                    await context.Response.WriteAsync("{\"resourceType\":\"Bundle\",\"type\":\"searchset\",\"total\":0,\"entry\":[]}");
                    return;
                }
                using var response = await http.SendAsync(request);
                var payload = await response.Content.ReadAsByteArrayAsync();
                if (context.Request.Method == "POST" && string.IsNullOrEmpty(rest)) Interlocked.Increment(ref proxy._transactions);
                if (failFirstTransaction && context.Request.Method == "POST" && string.IsNullOrEmpty(rest) && Interlocked.Increment(ref proxy._failed) == 1)
                {
                    context.Response.StatusCode = 500;
                    context.Response.ContentType = "application/fhir+json";
                    await context.Response.WriteAsync("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"severity\":\"fatal\",\"code\":\"timeout\"}]}");
                    return;
                }
                context.Response.StatusCode = (int)response.StatusCode;
                context.Response.ContentType = response.Content.Headers.ContentType?.ToString() ?? "application/fhir+json";
                await context.Response.Body.WriteAsync(payload);
            });
            await app.StartAsync(Xunit.TestContext.Current.CancellationToken);
            proxy.BaseUrl = new Uri(app.Urls.First().TrimEnd('/') + "/fhir/");
            return proxy;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

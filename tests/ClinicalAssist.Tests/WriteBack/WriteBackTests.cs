#nullable disable warnings
using System.Text.Json;
using ClinicalAssist.Data;
using ClinicalAssist.Tests.Support;
using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using ClinicalAssist.Web.Features.Review;
using ClinicalAssist.Web.Features.WriteBack;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Task = System.Threading.Tasks.Task;

namespace ClinicalAssist.Tests.WriteBack;

public sealed class WriteBackTests : IAsyncLifetime
{
    /// <summary>Compiling the core profiles takes seconds: one validator for the whole class.</summary>
    internal static readonly FhirResourceValidator Validator = new();

    private static readonly Actor Clinician = new("u-clin", "Dr Alex Morgan");
    private static readonly Actor Admin = new("u-admin", "Jordan Lee");
    private static CancellationToken Ct => Xunit.TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private TestDatabase _db = null!;
    private FakeTransactionServer _server = null!;
    private Guid _configId;

    public const string SignedText = """
        ## Assessment
        - Hyperkalaemia, potassium 6.8 mmol/L [L1], on a background of chronic kidney disease [P1].
        ## Plan
        Repeat potassium in 4 hours & review ECG <urgent>.
        """;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _server = await FakeTransactionServer.StartAsync();
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
        await _server.DisposeAsync();
        await _db.DisposeAsync();
    }

    private WriteBackOptions Options(Action<WriteBackOptions>? change = null)
    {
        var options = new WriteBackOptions { Enabled = true, InitialBackoffSeconds = 10, MaxBackoffSeconds = 60, MaxAttempts = 3 };
        change?.Invoke(options);
        return options;
    }

    private FhirOptions Fhir() => new() { Source = FhirSourceKind.Server, ServerBaseUrl = _server.BaseUrl.ToString(), TimeoutSeconds = 10 };

    private WriteBackQueue Queue(WriteBackOptions? options = null, FhirOptions? fhir = null) =>
        new(_db, Microsoft.Extensions.Options.Options.Create(options ?? Options()), Microsoft.Extensions.Options.Options.Create(fhir ?? Fhir()), new AuditLog(_db, _clock), _clock);

    private readonly List<TestHost> _hosts = [];

    private WriteBackProcessor Processor(WriteBackOptions? options = null)
    {
        var host = TestHost.Create(_db, time: _clock, configure: services =>
        {
            TestHost.Use(services, options ?? Options());
            TestHost.Use(services, Fhir());
            services.AddSingleton(Validator);
            // A plain client: the product's resilience handler would take its retry delays from the test's fake clock.
            services.AddSingleton<IHttpClientFactory>(new PlainHttpClientFactory());
        });
        _hosts.Add(host);
        return host.Get<WriteBackProcessor>();
    }

    private Draft NewDraft(string recordSource = "Server") => new()
    {
        PatientId = "pat-1", PatientLabel = "Test Patient", EncounterId = "enc-1", RecordSource = recordSource,
        DrafterName = "Azure AI Foundry · gpt-4o", ModelId = "gpt-4o", ReportedModelId = "gpt-4o-2024-11-20", IsAiGenerated = true,
        ModelConfigurationId = _configId, TemplateId = "clinical-summary", TemplateVersion = 2,
        Status = DraftStatus.Draft, GeneratedText = SignedText, CreatedById = Clinician.Id, CreatedByName = Clinician.Name,
        CreatedAt = _clock.GetUtcNow(),
        CitationsJson = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["L1"] = "Observation/obs-1/_history/2", ["P1"] = "Condition/cond-1/_history/1", ["M1"] = "MedicationRequest/med-1/_history/1",
        }),
    };

    /// <summary>A draft signed through the workflow, with write-back enabled: returns the queued write.</summary>
    private async Task<FhirWrite> SignAsync(WriteBackOptions? options = null)
    {
        var draft = NewDraft();
        await using (var db = _db.CreateDbContext())
        {
            db.Drafts.Add(draft);
            await db.SaveChangesAsync(Ct);
        }
        var workflow = new DraftWorkflow(_db, new AuditLog(_db, _clock), _clock, NullLogger<DraftWorkflow>.Instance, Queue(options));
        var result = await workflow.SignAsync(draft.Id, SignedText, attested: true, Clinician, Ct);
        Assert.True(result.Succeeded, result.Message);
        await using var check = _db.CreateDbContext();
        return await check.FhirWrites.SingleAsync(w => w.DraftId == draft.Id, Ct);
    }

    private async Task<FhirWrite> ReloadAsync(Guid id)
    {
        await using var db = _db.CreateDbContext();
        return await db.FhirWrites.AsNoTracking().SingleAsync(w => w.Id == id, Ct);
    }

    [Fact]
    public async Task The_bundle_labels_the_document_and_records_device_author_clinician_verifier_and_every_cited_source()
    {
        var draft = NewDraft();
        draft.Status = DraftStatus.Signed;
        draft.SignedText = SignedText;
        draft.ClinicianDecisionById = Clinician.Id;
        draft.ClinicianDecisionByName = Clinician.Name;
        draft.ClinicianDecisionAt = _clock.GetUtcNow();
        var input = new WriteBackInput(draft, Clinician.Name, "clinician@demo.local", null, null, "# Model card", "# Prompt",
            ["Observation/obs-1/_history/2", "Condition/cond-1/_history/1"]);

        var built = WriteBackBundleBuilder.Build(input, Options());

        Assert.Equal(Bundle.BundleType.Transaction, built.Bundle.Type);
        Assert.Equal(["Practitioner", "DocumentReference", "Device", "DocumentReference", "Composition", "Provenance"],
            built.Bundle.Entry.Select(e => e.Resource.TypeName));
        Assert.All(built.Bundle.Entry.Where(e => e.Resource is not Provenance), e => Assert.StartsWith("identifier=", e.Request.IfNoneExist));

        var composition = built.Bundle.Entry.Select(e => e.Resource).OfType<Composition>().Single();
        Assert.Equal(CompositionStatus.Final, composition.Status);
        var label = Assert.Single(composition.Meta.Security);
        Assert.Equal(("http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "AIAST"), (label.System, label.Code));
        Assert.Equal(Composition.CompositionAttestationMode.Legal, Assert.Single(composition.Attester).Mode);
        Assert.Equal(["Assessment", "Plan"], composition.Section.Select(s => s.Title));
        Assert.Contains("&lt;urgent&gt;", composition.Section[1].Text.Div, StringComparison.Ordinal);
        Assert.Equal("Patient/pat-1", composition.Subject.Reference);
        Assert.Equal("Encounter/enc-1", composition.Encounter.Reference);

        var provenance = built.Bundle.Entry.Select(e => e.Resource).OfType<Provenance>().Single();
        Assert.Equal(built.DocumentFullUrl, Assert.Single(provenance.Target).Reference);
        Assert.Equal("AIAST", Assert.Single(provenance.Reason).Coding[0].Code);
        var author = provenance.Agent.Single(a => a.Type.Coding[0].Code == "author");
        Assert.Equal(built.DeviceFullUrl, author.Who.Reference);
        Assert.Equal("Artificial-Intelligence", author.Role[0].Coding[0].Code);
        var verifier = provenance.Agent.Single(a => a.Type.Coding[0].Code == "verifier");
        Assert.Equal(built.Bundle.Entry[0].FullUrl, verifier.Who.Reference);
        Assert.Equal(["Observation/obs-1/_history/2", "Condition/cond-1/_history/1"],
            provenance.Entity.Where(e => e.Role == Provenance.ProvenanceEntityRole.Source).Select(e => e.What.Reference));
        Assert.Equal(2, provenance.Entity.Count(e => e.Role == Provenance.ProvenanceEntityRole.Derivation));

        var device = built.Bundle.Entry.Select(e => e.Resource).OfType<Device>().Single();
        Assert.Equal("Artificial-Intelligence", device.Type.Coding[0].Code);
        Assert.Equal("gpt-4o-2024-11-20", device.Version[0].Value);

        // Every generated resource is valid base R4.
        Assert.Empty(built.Bundle.Entry.SelectMany(e => Validator.Errors(e.Resource)));
    }

    [Fact]
    public void Configured_as_a_DocumentReference_the_summary_is_labelled_attested_and_valid()
    {
        var draft = NewDraft();
        draft.Status = DraftStatus.Signed;
        draft.SignedText = SignedText;
        draft.ClinicianDecisionById = Clinician.Id;
        draft.ClinicianDecisionAt = _clock.GetUtcNow();
        var input = new WriteBackInput(draft, Clinician.Name, null, "Practitioner/prac-7", null, "# Model card", "# Prompt", ["Observation/obs-1/_history/2"]);

        var built = WriteBackBundleBuilder.Build(input, Options(o => o.DocumentKind = WriteBackDocumentKind.DocumentReference));

        Assert.DoesNotContain(built.Bundle.Entry, e => e.Resource is Practitioner or Composition); // mapped clinician, no Composition
        var document = built.Bundle.Entry.Single(e => e.FullUrl == built.DocumentFullUrl);
        var reference = Assert.IsType<DocumentReference>(document.Resource);
        Assert.Equal("AIAST", reference.Meta.Security.Single().Code);
        Assert.Equal(CompositionStatus.Final, reference.DocStatus);
        Assert.Equal("Practitioner/prac-7", reference.Authenticator.Reference);
        Assert.Equal(SignedText, System.Text.Encoding.UTF8.GetString(reference.Content[0].Attachment.Data));
        Assert.Equal($"identifier={Uri.EscapeDataString(WriteBackBundleBuilder.DocumentIdentifierSystem + "|" + WriteBackBundleBuilder.DocumentIdentifier(draft.Id))}", document.Request.IfNoneExist);
        var provenance = built.Bundle.Entry.Select(e => e.Resource).OfType<Provenance>().Single();
        Assert.Equal("Practitioner/prac-7", provenance.Agent.Single(a => a.Type.Coding[0].Code == "verifier").Who.Reference);
        Assert.Empty(built.Bundle.Entry.SelectMany(e => Validator.Errors(e.Resource)));
    }

    [Fact]
    public void An_unsigned_draft_is_never_built_into_a_write()
    {
        var draft = NewDraft();
        var input = new WriteBackInput(draft, Clinician.Name, null, null, null, "# card", "# prompt", []);
        Assert.Throws<InvalidOperationException>(() => WriteBackBundleBuilder.Build(input, Options()));
    }

    [Fact]
    public void The_validator_catches_a_deliberately_broken_resource()
    {
        var broken = new Composition
        {
            // status, type, date, author and title are required; the narrative holds a script element.
            Section = [new Composition.SectionComponent { Title = "x", Text = new Narrative { Status = Narrative.NarrativeStatus.Generated, Div = "<div xmlns=\"http://www.w3.org/1999/xhtml\"><script>alert(1)</script></div>" } }],
        };

        var errors = Validator.Errors(broken);

        Assert.Contains(errors, e => e.Contains("status", StringComparison.OrdinalIgnoreCase));
        Assert.True(errors.Count >= 4, string.Join(" | ", errors));
    }

    [Fact]
    public async Task Signing_queues_a_write_only_for_server_records_with_write_back_enabled()
    {
        var queued = await SignAsync();
        Assert.Equal(FhirWriteStatus.Pending, queued.Status);

        Assert.Null(Queue().CreateFor(NewDraft(recordSource: "Demo")));
        Assert.Null(Queue(Options(o => o.Enabled = false)).CreateFor(NewDraft()));
        Assert.Null(Queue(fhir: new FhirOptions { Source = FhirSourceKind.Demo }).CreateFor(NewDraft()));

        await using var db = _db.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(a => a.Action == WriteBackAuditActions.Queued && a.DraftId == queued.DraftId, Ct));
    }

    [Fact]
    public async Task A_signed_draft_is_written_once_with_the_servers_ids()
    {
        var write = await SignAsync();

        await Processor().ProcessDueAsync(Ct);

        var done = await ReloadAsync(write.Id);
        Assert.Equal(FhirWriteStatus.Written, done.Status);
        Assert.Matches("^Composition/[0-9]+/_history/1$", done.DocumentReference);
        Assert.Matches("^Provenance/[0-9]+/_history/1$", done.ProvenanceReference);
        var composition = Assert.Single(_server.All<Composition>());
        Assert.Equal("AIAST", composition.Meta.Security.Single().Code);
        var provenance = Assert.Single(_server.All<Provenance>());
        Assert.Equal($"Composition/{composition.Id}", provenance.Target.Single().Reference);
        Assert.Single(_server.All<Device>());

        // A second signed draft of the same configuration reuses the Device.
        var second = await SignAsync();
        await Processor().ProcessDueAsync(Ct);
        Assert.Equal(FhirWriteStatus.Written, (await ReloadAsync(second.Id)).Status);
        Assert.Single(_server.All<Device>());
        Assert.Equal(2, _server.All<Composition>().Count());
    }

    [Fact]
    public async Task The_prompt_written_is_the_exact_prompt_the_model_received_and_the_card_is_the_admins()
    {
        await using (var db = _db.CreateDbContext())
        {
            await PromptTemplateStore.SeedAsync(db, _clock, Ct);
            db.ModelCards.Add(new ModelCard { ModelConfigurationId = _configId, ModelName = "GPT-4o (ward summaries)", Developer = "OpenAI via Azure AI Foundry" });
            await db.SaveChangesAsync(Ct);
        }
        var template = await new PromptTemplateStore(_db, new PromptBuilder()).GetActiveAsync("clinical-summary", Ct);
        var draft = NewDraft();
        draft.TemplateVersion = template.Version;
        draft.PromptContextSnapshot = "[L1] Potassium 6.8 mmol/L (H) 2026-11-24";
        await using (var db = _db.CreateDbContext())
        {
            db.Drafts.Add(draft);
            await db.SaveChangesAsync(Ct);
        }
        var workflow = new DraftWorkflow(_db, new AuditLog(_db, _clock), _clock, NullLogger<DraftWorkflow>.Instance, Queue());
        Assert.True((await workflow.SignAsync(draft.Id, SignedText, attested: true, Clinician, Ct)).Succeeded);

        await Processor().ProcessDueAsync(Ct);

        var documents = _server.All<DocumentReference>().ToList();
        var prompt = documents.Single(d => d.Type.Coding[0].Code == "AIInputPrompt");
        var promptText = System.Text.Encoding.UTF8.GetString(prompt.Content[0].Attachment.Data);
        var rendered = PromptBuilder.Render(template, draft.PromptContextSnapshot);
        Assert.Contains(rendered.User, promptText, StringComparison.Ordinal);
        Assert.Contains(rendered.System, promptText, StringComparison.Ordinal);
        Assert.Contains(PromptBuilder.Hash(rendered), promptText, StringComparison.Ordinal);
        var card = documents.Single(d => d.Type.Coding[0].Code == "AIModelCard");
        var cardText = System.Text.Encoding.UTF8.GetString(card.Content[0].Attachment.Data);
        Assert.Contains("GPT-4o (ward summaries)", cardText, StringComparison.Ordinal);
        Assert.Contains("Model card incomplete", cardText, StringComparison.Ordinal);
        var device = Assert.Single(_server.All<Device>());
        Assert.Equal($"DocumentReference/{card.Id}", device.Extension.Single(e => e.Url.EndsWith("modelCardDescription", StringComparison.Ordinal)).Value is ResourceReference r ? r.Reference : null);
    }

    [Fact]
    public async Task A_server_error_keeps_the_write_pending_with_back_off_and_the_retry_writes_exactly_one_document()
    {
        var write = await SignAsync();
        _server.FailNext.Enqueue(500);

        await Processor().ProcessDueAsync(Ct);
        var pending = await ReloadAsync(write.Id);
        Assert.Equal(FhirWriteStatus.Pending, pending.Status);
        Assert.Equal(1, pending.Attempts);
        Assert.Contains("error (500)", pending.LastError, StringComparison.Ordinal);
        Assert.Equal(_clock.GetUtcNow().AddSeconds(10), pending.NextAttemptAt);
        Assert.Empty(_server.All<Composition>());

        Assert.Equal(0, await Processor().ProcessDueAsync(Ct)); // not due yet
        _clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(1, await Processor().ProcessDueAsync(Ct));

        Assert.Equal(FhirWriteStatus.Written, (await ReloadAsync(write.Id)).Status);
        Assert.Single(_server.All<Composition>());
        Assert.Single(_server.All<Provenance>());
    }

    [Fact]
    public async Task When_the_servers_answer_is_lost_after_commit_the_retry_finds_the_document_and_writes_nothing_twice()
    {
        var write = await SignAsync();
        _server.CommitThenFail = true;

        await Processor().ProcessDueAsync(Ct);
        Assert.Equal(FhirWriteStatus.Pending, (await ReloadAsync(write.Id)).Status);
        _clock.Advance(TimeSpan.FromMinutes(1));
        await Processor().ProcessDueAsync(Ct);

        var done = await ReloadAsync(write.Id);
        Assert.Equal(FhirWriteStatus.Written, done.Status);
        Assert.Single(_server.Transactions); // the retry only searched
        Assert.Single(_server.All<Composition>());
        Assert.Single(_server.All<Provenance>());
        Assert.NotNull(done.ProvenanceReference);
    }

    [Fact]
    public async Task A_refusal_fails_at_once_and_an_admin_can_retry_or_cancel_it()
    {
        var write = await SignAsync();
        _server.FailNext.Enqueue(422);

        await Processor().ProcessDueAsync(Ct);
        var failed = await ReloadAsync(write.Id);
        Assert.Equal(FhirWriteStatus.Failed, failed.Status);
        Assert.Contains("rejected the transaction (422)", failed.LastError, StringComparison.Ordinal);

        Assert.NotNull(await Queue().CancelAsync(Guid.NewGuid(), Admin, Ct));
        Assert.Null(await Queue().RetryAsync(write.Id, Admin, Ct));
        Assert.Equal(FhirWriteStatus.Pending, (await ReloadAsync(write.Id)).Status);
        Assert.Equal("Only a failed or cancelled write can be retried.", await Queue().RetryAsync(write.Id, Admin, Ct));
        Assert.Null(await Queue().CancelAsync(write.Id, Admin, Ct));
        var cancelled = await ReloadAsync(write.Id);
        Assert.Equal(FhirWriteStatus.Cancelled, cancelled.Status);
        Assert.Equal(Admin.Name, cancelled.ChangedByName);

        await Processor().ProcessDueAsync(Ct);
        Assert.Empty(_server.All<Composition>());
        await using var db = _db.CreateDbContext();
        Assert.Equal(Clinician.Id, (await db.Drafts.SingleAsync(d => d.Id == write.DraftId, Ct)).ClinicianDecisionById);
        Assert.Equal(2, await db.AuditEvents.CountAsync(a => a.UserId == Admin.Id, Ct));
    }

    [Fact]
    public async Task Repeated_transient_failures_give_up_after_the_configured_attempts()
    {
        var write = await SignAsync();
        for (var i = 0; i < 3; i++) _server.FailNext.Enqueue(503);

        for (var i = 0; i < 3; i++)
        {
            await Processor().ProcessDueAsync(Ct);
            _clock.Advance(TimeSpan.FromMinutes(2));
        }

        var failed = await ReloadAsync(write.Id);
        Assert.Equal(FhirWriteStatus.Failed, failed.Status);
        Assert.Equal(3, failed.Attempts);
        Assert.Contains("Gave up after 3 attempts", failed.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Back_off_doubles_up_to_the_cap()
    {
        var options = Options();
        Assert.Equal([10, 20, 40, 60, 60], Enumerable.Range(1, 5).Select(a => WriteBackProcessor.Backoff(a, options).TotalSeconds));
    }

}

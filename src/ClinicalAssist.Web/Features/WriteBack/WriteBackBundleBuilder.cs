using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Drafting;
using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.WriteBack;

/// <summary>
/// Builds the one <c>transaction</c> Bundle that writes a signed summary back (HL7 AI Transparency on FHIR): the
/// document labelled AIAST, the AI Device (conditional create: made once per model configuration, then reused) with
/// its model card, the input prompt, the signing Practitioner, and a Provenance whose agents are the AI Device
/// (author) and the clinician (verifier) and whose entities are every cited record (source) plus the model card and
/// prompt (derivation). Business identifiers with <c>ifNoneExist</c> make a retried transaction create nothing twice.
/// </summary>
public static class WriteBackBundleBuilder
{
    public const string ObservationValueSystem = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";
    public const string AiAssertedCode = "AIAST";
    public const string AiTransparencyBase = "http://hl7.org/fhir/uv/aitransparency";
    public const string AiDeviceTypeSystem = AiTransparencyBase + "/CodeSystem/AIdeviceTypeCS";
    public const string AiInputsSystem = AiTransparencyBase + "/CodeSystem/AIinputsCS";
    public const string AiKindExtension = AiTransparencyBase + "/StructureDefinition/aitransparency.AIKind";
    public const string ModelCardExtension = AiTransparencyBase + "/StructureDefinition/aitransparency.modelCardDescription";
    public const string ParticipantTypeSystem = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";
    public const string DocumentIdentifierSystem = "urn:ietf:rfc:3986";
    public const string DeviceIdentifierSystem = "urn:clinicalassist:model-configuration";
    public const string ModelCardIdentifierSystem = "urn:clinicalassist:model-card";
    public const string PromptIdentifierSystem = "urn:clinicalassist:prompt";
    public const string LoincSystem = "http://loinc.org";

    /// <summary>The document's business identifier value for a draft.</summary>
    public static string DocumentIdentifier(Guid draftId) => "urn:uuid:" + draftId.ToString("D");

    public static WriteBackBundle Build(WriteBackInput input, WriteBackOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        var draft = input.Draft;
        if (draft.SignedText is not { Length: > 0 } signedText || draft.ClinicianDecisionAt is not { } signedAt
            || draft.Status is not (DraftStatus.Signed or DraftStatus.Approved or DraftStatus.Returned))
        {
            throw new InvalidOperationException("Only a signed draft is written back.");
        }

        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        var patient = new ResourceReference("Patient/" + draft.PatientId);
        var encounter = draft.EncounterId is { Length: > 0 } e ? new ResourceReference("Encounter/" + e) : null;
        var labelled = draft.IsAiGenerated;

        // The signing clinician.
        ResourceReference practitioner;
        if (input.PractitionerReference is { Length: > 0 } mapped)
        {
            practitioner = new ResourceReference(mapped) { Display = input.ClinicianName };
        }
        else
        {
            var value = input.ClinicianEmail ?? draft.ClinicianDecisionById
                        ?? throw new InvalidOperationException("The draft has no signing clinician.");
            var p = new Practitioner
            {
                Identifier = [new Identifier(options.PractitionerIdentifierSystem, value)],
                Active = true,
                Name = [new HumanName { Text = input.ClinicianName }],
            };
            var url = Add(bundle, p, "Practitioner", Condition(options.PractitionerIdentifierSystem, value));
            practitioner = new ResourceReference(url) { Display = input.ClinicianName };
        }

        // The model card and the AI Device (one per model configuration, created once).
        var deviceKey = input.Configuration?.Id.ToString("D") ?? "model:" + draft.ModelId;
        var cardHash = Hash(input.ModelCardMarkdown)[..16];
        var card = new DocumentReference
        {
            Status = DocumentReferenceStatus.Current,
            Identifier = [new Identifier(ModelCardIdentifierSystem, $"{deviceKey}:{cardHash}")],
            Type = new CodeableConcept(AiInputsSystem, "AIModelCard", "AI Model-Card"),
            Category = [new CodeableConcept(AiInputsSystem, "AIModelCardMarkdownFormat", "Markdown Format")],
            Description = "Model card: " + (input.Configuration?.Name ?? draft.DrafterName),
            Content = [new DocumentReference.ContentComponent { Attachment = Markdown(input.ModelCardMarkdown, "Model card") }],
        };
        var cardUrl = Add(bundle, card, "DocumentReference", Condition(ModelCardIdentifierSystem, $"{deviceKey}:{cardHash}"));

        var device = new Device
        {
            Identifier = [new Identifier(DeviceIdentifierSystem, deviceKey)],
            Type = new CodeableConcept(AiDeviceTypeSystem, "Artificial-Intelligence", "All kinds of Artificial Intelligence"),
            DeviceName = [new Device.DeviceNameComponent { Name = input.Configuration?.Name ?? draft.DrafterName, Type = DeviceNameType.UserFriendlyName }],
            Version = [new Device.VersionComponent { Value = draft.ReportedModelId ?? draft.ModelId }],
            Manufacturer = draft.IsAiGenerated ? "Azure AI Foundry model deployment" : "ClinicalAssist (rule-based, no AI model)",
            ModelNumber = draft.ModelId,
            Owner = new ResourceReference { Display = options.DeviceOwner },
            Status = Device.FHIRDeviceStatus.Active,
        };
        device.Extension.Add(new Extension(AiKindExtension, new CodeableConcept(AiDeviceTypeSystem,
            draft.IsAiGenerated ? "Large-Language-Models" : "Rule-Based-Systems")));
        device.Extension.Add(new Extension(ModelCardExtension, new ResourceReference(cardUrl)));
        var deviceUrl = Add(bundle, device, "Device", Condition(DeviceIdentifierSystem, deviceKey));

        // The input prompt, as the model received it (de-identified context).
        var prompt = new DocumentReference
        {
            Status = DocumentReferenceStatus.Current,
            Identifier = [new Identifier(PromptIdentifierSystem, draft.Id.ToString("D"))],
            Type = new CodeableConcept(AiInputsSystem, "AIInputPrompt", "AI Input Prompt"),
            Subject = patient,
            Description = $"Input prompt ({draft.TemplateId} v{draft.TemplateVersion})",
            Content = [new DocumentReference.ContentComponent { Attachment = Markdown(input.PromptMarkdown, "Input prompt") }],
        };
        var promptUrl = Add(bundle, prompt, "DocumentReference", Condition(PromptIdentifierSystem, draft.Id.ToString("D")));

        // The signed document.
        var identifier = new Identifier(DocumentIdentifierSystem, DocumentIdentifier(draft.Id));
        var signedTime = signedAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var type = new CodeableConcept(LoincSystem, "11506-3", "Progress note");
        Resource document;
        string documentType;
        if (options.DocumentKind == WriteBackDocumentKind.Composition)
        {
            var composition = new Composition
            {
                Identifier = identifier,
                Status = CompositionStatus.Final,
                Type = type,
                Subject = patient,
                Encounter = encounter,
                Date = signedTime,
                Author = [new ResourceReference(deviceUrl) { Display = device.DeviceName[0].Name }, practitioner],
                Title = draft.IsAiGenerated ? "AI-assisted clinical summary (clinician verified)" : "Clinical summary (rule-based draft, clinician verified)",
                Attester = [new Composition.AttesterComponent { Mode = Composition.CompositionAttestationMode.Legal, Time = signedTime, Party = practitioner }],
                Section = Sections(signedText),
            };
            document = composition;
            documentType = "Composition";
        }
        else
        {
            document = new DocumentReference
            {
                MasterIdentifier = identifier,
                Identifier = [identifier],
                Status = DocumentReferenceStatus.Current,
                DocStatus = CompositionStatus.Final,
                Type = type,
                Subject = patient,
                Date = signedAt.ToUniversalTime(),
                Author = [new ResourceReference(deviceUrl), practitioner],
                Authenticator = practitioner,
                Description = "Clinical summary (clinician verified)",
                Content = [new DocumentReference.ContentComponent { Attachment = Markdown(signedText, "Signed summary") }],
                Context = encounter is null ? null : new DocumentReference.ContextComponent { Encounter = [encounter] },
            };
            documentType = "DocumentReference";
        }
        if (labelled)
        {
            document.Meta = new Meta { Security = [new Coding(ObservationValueSystem, AiAssertedCode, "Artificial Intelligence asserted")] };
        }
        var documentUrl = Add(bundle, document, documentType, Condition(DocumentIdentifierSystem, DocumentIdentifier(draft.Id)));

        // Provenance: who made it (the AI Device), who verified it (the clinician), and from what.
        var provenance = new Provenance
        {
            Target = [new ResourceReference(documentUrl)],
            Occurred = new FhirDateTime(draft.CreatedAt.ToUniversalTime()),
            Recorded = signedAt.ToUniversalTime(),
            Agent =
            [
                new Provenance.AgentComponent
                {
                    Type = new CodeableConcept(ParticipantTypeSystem, "author", "Author"),
                    Role = [new CodeableConcept(AiDeviceTypeSystem, "Artificial-Intelligence")],
                    Who = new ResourceReference(deviceUrl),
                },
                new Provenance.AgentComponent
                {
                    Type = new CodeableConcept(ParticipantTypeSystem, "verifier", "Verifier"),
                    Who = practitioner,
                },
            ],
        };
        if (labelled)
        {
            provenance.Reason = [new CodeableConcept(ObservationValueSystem, AiAssertedCode, "Artificial Intelligence asserted")];
        }
        foreach (var source in input.SourceReferences.Distinct(StringComparer.Ordinal))
        {
            provenance.Entity.Add(new Provenance.EntityComponent { Role = Provenance.ProvenanceEntityRole.Source, What = new ResourceReference(source) });
        }
        provenance.Entity.Add(new Provenance.EntityComponent { Role = Provenance.ProvenanceEntityRole.Derivation, What = new ResourceReference(cardUrl) });
        provenance.Entity.Add(new Provenance.EntityComponent { Role = Provenance.ProvenanceEntityRole.Derivation, What = new ResourceReference(promptUrl) });
        // Provenance has no identifier in R4: it is created only if none already targets this document (a chained
        // search on the document's identifier), so a transaction sent again — a retry whose search missed, a second
        // instance — never adds a second Provenance to a document the server already holds.
        var provenanceUrl = Add(bundle, provenance, "Provenance",
            $"target:{documentType}.identifier=" + Uri.EscapeDataString(DocumentIdentifierSystem + "|" + DocumentIdentifier(draft.Id)));

        return new WriteBackBundle(bundle, documentUrl, provenanceUrl, deviceUrl);
    }

    /// <summary>Sections from the signed text: a markdown heading starts a section; text before any heading is "Summary".</summary>
    internal static List<Composition.SectionComponent> Sections(string signedText)
    {
        var sections = new List<(string Title, List<DraftLine> Lines)>();
        foreach (var line in DraftText.Parse(signedText))
        {
            if (line.Kind == DraftLineKind.Heading)
            {
                sections.Add((Plain(line), []));
            }
            else
            {
                if (sections.Count == 0) sections.Add(("Summary", []));
                sections[^1].Lines.Add(line);
            }
        }

        return sections
            .Where(s => s.Lines.Count > 0)
            .Select(s => new Composition.SectionComponent
            {
                Title = s.Title,
                Text = new Narrative { Status = Narrative.NarrativeStatus.Generated, Div = Xhtml(s.Lines) },
            })
            .DefaultIfEmpty(new Composition.SectionComponent
            {
                Title = "Summary",
                Text = new Narrative { Status = Narrative.NarrativeStatus.Generated, Div = Xhtml(DraftText.Parse(signedText)) },
            })
            .ToList();
    }

    private static string Xhtml(IReadOnlyList<DraftLine> lines)
    {
        var html = new StringBuilder("<div xmlns=\"http://www.w3.org/1999/xhtml\">");
        var inList = false;
        foreach (var line in lines)
        {
            var text = WebUtility.HtmlEncode(Plain(line));
            if (line.Kind == DraftLineKind.Bullet)
            {
                if (!inList) { html.Append("<ul>"); inList = true; }
                html.Append("<li>").Append(text).Append("</li>");
            }
            else
            {
                if (inList) { html.Append("</ul>"); inList = false; }
                html.Append("<p>").Append(text).Append("</p>");
            }
        }
        if (inList) html.Append("</ul>");
        return html.Append("</div>").ToString();
    }

    private static string Plain(DraftLine line) =>
        string.Concat(line.Segments.Select(s => s.IsCitation ? "[" + s.Text + "]" : s.Text)).Trim();

    private static Attachment Markdown(string text, string title) => new()
    {
        ContentType = "text/markdown",
        Data = Encoding.UTF8.GetBytes(text),
        Title = title,
    };

    private static string Add(Bundle bundle, Resource resource, string type, string? condition)
    {
        var fullUrl = "urn:uuid:" + Guid.NewGuid().ToString("D");
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            FullUrl = fullUrl,
            Resource = resource,
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = type, IfNoneExist = condition },
        });
        return fullUrl;
    }

    private static string Condition(string system, string value) =>
        "identifier=" + Uri.EscapeDataString(system + "|" + value);

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

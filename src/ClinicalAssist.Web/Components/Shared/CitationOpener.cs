using ClinicalAssist.Web.Features.Context;
using ClinicalAssist.Web.Features.Drafting;
using ClinicalAssist.Web.Features.Governance;
using MudBlazor;

namespace ClinicalAssist.Web.Components.Shared;

/// <summary>Opens the source behind a citation key and audits that the clinician looked at it.</summary>
public sealed class CitationOpener(IDialogService dialogs, AuditLog audit)
{
    public async Task OpenAsync(string key, IReadOnlyDictionary<string, string> citations, PatientContext? context, Actor actor, Guid? draftId)
    {
        var reference = citations.TryGetValue(key, out var r) ? r : $"(unknown key {key})";
        var typeAndId = DraftText.ResourceKey(reference);
        Hl7.Fhir.Model.Resource? resource = null;
        context?.Resources.TryGetValue(typeAndId, out resource);

        await audit.WriteAsync(AuditActions.CitationOpened, actor, context?.Patient.Id, draftId, details: $"key={key} ref={typeAndId}");
        await dialogs.ShowAsync<CitationDialog>($"Source {key}",
            new DialogParameters<CitationDialog>
            {
                { d => d.Key, key },
                { d => d.Reference, reference },
                { d => d.Resource, resource },
            },
            new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true });
    }
}

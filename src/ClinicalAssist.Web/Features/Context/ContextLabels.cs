namespace ClinicalAssist.Web.Features.Context;

/// <summary>A one-line, human description of a context item, to list the sources a draft cites.</summary>
public static class ContextLabels
{
    public static string? For(PatientContext context, string reference)
    {
        if (context.Encounter is { } e && e.Source.Reference == reference)
            return $"Encounter: {e.Class}, {e.Status}{(e.Reason is null ? "" : ", " + e.Reason)}";
        if (context.Conditions.FirstOrDefault(c => c.Source.Reference == reference) is { } c)
            return $"Condition: {c.Display} ({c.ClinicalStatus}, {c.VerificationStatus})";
        if (context.Allergies.FirstOrDefault(a => a.Source.Reference == reference) is { } a)
            return $"Allergy: {a.Substance}{(a.Criticality is null ? "" : $" ({a.Criticality} criticality)")}";
        if (context.Medications.FirstOrDefault(m => m.Source.Reference == reference) is { } m)
            return $"Medication: {m.Display} ({m.Status})";
        if (context.Labs.Concat(context.Vitals).FirstOrDefault(o => o.Source.Reference == reference) is { } o)
            return $"{(o.Category == "vital-signs" ? "Vital sign" : "Lab")}: {o.Display} {o.FormattedValue}{(o.Interpretation is null or "N" ? "" : $" ({o.Interpretation})")}, {o.Effective:dd MMM HH:mm}";
        if (context.Notes.FirstOrDefault(n => n.Source.Reference == reference) is { } n)
            return $"Note: {n.Title}, {n.Date:dd MMM HH:mm}";
        return null;
    }
}

namespace ClinicalAssist.Web.Features.Context;

/// <summary>A one-line, human description of a context item, to list the sources a draft cites; each starts with its
/// section's item label from the section table ("Condition: …").</summary>
public static class ContextLabels
{
    public static string? For(PatientContext context, string reference)
    {
        if (context.Encounter is { } e && e.Source.Reference == reference)
            return $"{ContextSections.Encounter.ItemLabel}: {e.Class}, {e.Status}{(e.Reason is null ? "" : ", " + e.Reason)}";
        if (context.Conditions.FirstOrDefault(c => c.Source.Reference == reference) is { } c)
            return $"{ContextSections.Conditions.ItemLabel}: {c.Display} ({c.ClinicalStatus}, {c.VerificationStatus})";
        if (context.Allergies.FirstOrDefault(a => a.Source.Reference == reference) is { } a)
            return $"{ContextSections.Allergies.ItemLabel}: {a.Substance}{(a.Criticality is null ? "" : $" ({a.Criticality} criticality)")}";
        if (context.Medications.FirstOrDefault(m => m.Source.Reference == reference) is { } m)
            return $"{ContextSections.Medications.ItemLabel}: {m.Display} ({m.Status})";
        if (context.Labs.Concat(context.Vitals).FirstOrDefault(o => o.Source.Reference == reference) is { } o)
            return $"{(o.Category == "vital-signs" ? ContextSections.Vitals : ContextSections.Labs).ItemLabel}: {o.Name} {o.DisplayValue}{(o.Interpretation is null or "N" ? "" : $" ({o.Interpretation})")}, {ClinicalDates.Short(o.Effective, context.AssembledAt)}";
        if (context.OtherObservations.FirstOrDefault(x => x.Source.Reference == reference) is { } other)
            return $"{ContextSections.OtherObservations.ItemLabel} ({other.Category}): {other.Name} {other.DisplayValue}{(other.Interpretation is null or "N" ? "" : $" ({other.Interpretation})")}, {ClinicalDates.Short(other.Effective, context.AssembledAt)}";
        if (context.Notes.FirstOrDefault(n => n.Source.Reference == reference) is { } n)
            return $"{ContextSections.Notes.ItemLabel}: {n.Title}, {ClinicalDates.Short(n.Date, context.AssembledAt)}";
        foreach (var section in ContextSections.All.Where(s => s.Map is not null))
        {
            if (context.EntriesOf(section.Key).FirstOrDefault(x => x.Source.Reference == reference) is { } entry)
                return $"{section.ItemLabel}: {entry.Display}{(entry.Detail is null ? "" : ", " + entry.Detail)}{(entry.Date is { } d ? ", " + ClinicalDates.Day(d, context.AssembledAt) : "")}";
        }
        return null;
    }
}

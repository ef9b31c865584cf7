using ClinicalAssist.Data;
using ClinicalAssist.Web.Features.Governance;
using Microsoft.EntityFrameworkCore;

namespace ClinicalAssist.Web.Features.Drafting;

/// <summary>
/// The model card the product ships for its own offline rule-based drafter (<see cref="OfflineDrafter"/>): software the
/// product owns, so it says what it is, what it is not, its data and its limits, and every required field of
/// <see cref="ModelCardFields"/> is filled — drafts of it no longer say "Model card incomplete". Seeded once for the
/// "Offline drafter" configuration when it has no card; an admin's edits are never overwritten.
/// </summary>
public static class OfflineDrafterModelCard
{
    private const string NotAModel = "Not applicable: the offline drafter is fixed rules written in this product's source code, not a trained model.";

    public static void Fill(ModelCard card)
    {
        ArgumentNullException.ThrowIfNull(card);
        card.ModelName = OfflineDrafter.OfflineDisplayName;
        card.Developer = "The ClinicalAssist product team (part of this software; no third-party model).";
        card.Summary = "Deterministic rules that list, from the patient's structured FHIR record, the admission, active problems, allergies, "
            + "active medications, recent laboratory results and vital signs, and the latest note's title — every statement cited to the resource it came from. "
            + "It does not reason, interpret, infer diagnoses or read note text; the same record always gives the same draft.";
        card.OutputType = "Free-text summary draft in sections, each statement followed by citation keys to FHIR resources.";
        card.OutputDescription = "Streamed into the chart as an unsigned draft labelled \"Offline rule-based draft — no AI model\"; "
            + "verified by the product's citation checks like any drafter's output; nothing counts until a clinician edits, attests and signs it.";
        card.ReleaseStage = "General availability as the product's default drafter when no AI model is configured.";
        card.ModelVersion = OfflineDrafter.OfflineModelId + " (changes only with a release of this product).";
        card.EhrCompatibility = "FHIR R4 records (server, Bundle files, or the generated demo patients).";
        card.RegulatoryApproval = "None. It restates record data with citations for a clinician to check and sign (non-device clinical decision support intent); "
            + "each deploying organisation confirms its own regulatory position.";
        card.IntendedUse = "A starting point for an inpatient summary that shows what the structured record holds, so the clinician writes and checks rather than copies.";
        card.IntendedWorkflow = "Ward rounds and handover: the clinician generates or prepares the draft, checks each statement against its cited source, edits, attests and signs; a reviewer may approve or return it.";
        card.IntendedUsers = "Licensed clinicians (ward physicians) and reviewers of signed summaries.";
        card.PatientPopulation = "Adult and paediatric inpatients whose record is available as FHIR R4; the rules do not vary by population.";
        card.DecisionRole = "Informs";
        card.OutOfScopeUses = "Diagnosis, triage, treatment or dosing decisions; any use without a clinician checking and signing; "
            + "summarising free-text notes (it does not read them); patients whose important information is only in notes or scanned documents.";
        card.KnownRisks = "Omission: anything not in the structured record, or beyond the section caps and time window, is not in the draft (the draft's coverage line says what was left out). "
            + "Stale or wrong record data is repeated as it is. No clinical judgement: it cannot say what matters most. Automation bias: a tidy draft may be trusted too much.";
        card.KnownBiases = "It repeats whatever biases are in the recorded data (e.g. coding completeness differing between groups); the rules themselves treat every patient alike.";
        card.ClinicalRiskLevel = "Low to moderate: it only restates cited record data, but an omission that a clinician does not notice could matter; mitigated by citations, coverage lines, verification and mandatory sign-off.";
        card.FoundationModels = "None. " + NotAModel;
        card.TrainingDataCriteria = NotAModel + " No patient data were used to build it.";
        card.InputDataSources = "At run time only the patient's structured FHIR record as assembled for the chart (conditions, allergies, medications, observations, encounters, note titles); nothing leaves the application.";
        card.DemographicInputs = "Age and sex as recorded, shown in the draft's heading; they do not change any rule.";
        card.Representativeness = NotAModel + " Output quality depends on how completely the local record is coded, not on training data.";
        card.FairnessApproach = "The same rules apply to every patient; no demographic input changes the output. Local monitoring (quality dashboard: edit distance, rejections, returns) can be compared across groups by the organisation.";
        card.ExternalValidation = "None beyond the product's own tests (generated demo patients, 41 Synthea records and edge-case records: every resource shown or counted, every statement cited).";
        card.UsefulnessGoal = "Clinicians sign the draft with few edits and find nothing missing that the structured record held.";
        card.UsefulnessResult = "Not measured clinically. The product's tests check structure and citations only.";
        card.UsefulnessInterpretation = "Unknown clinical usefulness; treat as a checklist of what the record holds, not as a summary of the patient.";
        card.UsefulnessTestType = "Automated tests of the product (unit and browser tests).";
        card.UsefulnessTestData = "Generated demo patients and public Synthea samples; no real patient data.";
        card.FairnessGoal = "Identical treatment of every patient by the rules.";
        card.FairnessResult = "By construction: no rule reads a demographic field to decide what is included.";
        card.FairnessInterpretation = "Differences in output follow differences in the recorded data only.";
        card.FairnessTestType = "Code review of the rules; no statistical fairness study.";
        card.FairnessTestData = "Not applicable (no statistical test was run).";
        card.SafetyGoal = "Every statement cites an existing resource of the patient's record; nothing is invented.";
        card.SafetyResult = "Enforced on every draft by the product's citation verification and sign gate; checked by the record-coverage and verification test suites.";
        card.SafetyInterpretation = "A statement can still be clinically outdated or incomplete; citations make it checkable, not correct.";
        card.SafetyTestType = "Automated verification of every draft, plus the product's test suites.";
        card.SafetyTestData = "Generated demo patients, Synthea samples and edge-case records.";
        card.LocalMonitoring = "Admin › Quality metrics: edit distance, rejections with reasons, reviewer returns, warnings per draft.";
        card.MonitoringFrequency = "Set by the deploying organisation (suggested: weekly review of the quality dashboard).";
        card.UpdateSchedule = "Changes only with a release of this product; release notes say when the rules change.";
        card.Security = "Runs inside the application process: no network call, no data sent anywhere; drafts are stored in the application's database with the audit trail.";
        card.TransparencyInformation = "This card; the label \"Offline rule-based draft — no AI model\" on every draft; docs/adr/0003 in the product's documentation.";
    }

    /// <summary>Adds the card to the offline drafter's configuration(s) that have none (first start, or an install from
    /// before the card shipped). Never changes an existing card.</summary>
    public static async Task SeedAsync(AppDbContext db, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var without = await db.ModelConfigurations
            .Where(c => c.Provider == ModelProvider.Offline && !db.ModelCards.Any(card => card.ModelConfigurationId == c.Id))
            .Select(c => c.Id).ToListAsync(ct);
        foreach (var id in without)
        {
            var card = new ModelCard { Id = Guid.NewGuid(), ModelConfigurationId = id, UpdatedAt = time.GetUtcNow(), UpdatedByName = "system (shipped with the product)" };
            Fill(card);
            db.ModelCards.Add(card);
        }
        if (without.Count > 0) await db.SaveChangesAsync(ct);
    }
}

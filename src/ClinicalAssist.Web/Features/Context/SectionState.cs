using Hl7.Fhir.Model;

namespace ClinicalAssist.Web.Features.Context;

/// <summary>How one section of the context was assembled: loaded, empty, failed (the rest still shows), or
/// capped (loaded, but only the newest items up to the configured cap are kept; the message says how many).</summary>
public enum SectionState { Loaded, Empty, Failed, Capped }

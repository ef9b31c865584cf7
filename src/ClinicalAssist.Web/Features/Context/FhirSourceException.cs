namespace ClinicalAssist.Web.Features.Context;

/// <summary>The record source could not load the patient at all; the message is safe to show (no identifiers).</summary>
public sealed class FhirSourceException(string message, Exception? inner = null) : Exception(message, inner);

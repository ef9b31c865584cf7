namespace ClinicalAssist.Web.Features.Validation;

/// <summary>The activation gate's verdict on the evidence for one configuration × template version, in words.</summary>
public sealed record GateVerdict(bool Passed, string Summary, Guid? RunId);

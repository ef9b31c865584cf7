namespace ClinicalAssist.Web.Features.Review;

/// <summary>Whether a text may be signed as it is. <see cref="Findings"/> say in plain words what stops it.</summary>
public sealed record SignGateResult(bool Verified, IReadOnlyList<string> Findings)
{
    public static readonly SignGateResult Passed = new(true, []);
}

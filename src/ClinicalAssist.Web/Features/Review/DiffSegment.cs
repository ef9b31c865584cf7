using DiffPlex;
using DiffPlex.Chunkers;

namespace ClinicalAssist.Web.Features.Review;

public sealed record DiffSegment(DiffKind Kind, string Text);

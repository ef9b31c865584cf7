using DiffPlex;
using DiffPlex.Chunkers;

namespace ClinicalAssist.Web.Features.Review;

public enum DiffKind { Same, Deleted, Inserted }

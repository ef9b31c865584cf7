using DiffPlex;
using DiffPlex.Chunkers;

namespace ClinicalAssist.Web.Features.Review;

/// <summary>Word-level difference between the generated draft and the text the clinician signed (DiffPlex).</summary>
public static class WordDiff
{
    public static IReadOnlyList<DiffSegment> Compute(string original, string edited)
    {
        var result = Differ.Instance.CreateDiffs(original, edited, ignoreWhiteSpace: false, ignoreCase: false, WordChunker.Instance);
        var segments = new List<DiffSegment>();
        var a = 0;
        var b = 0;
        foreach (var block in result.DiffBlocks)
        {
            for (; a < block.DeleteStartA; a++, b++) Add(DiffKind.Same, result.PiecesOld[a]);
            for (var i = 0; i < block.DeleteCountA; i++) Add(DiffKind.Deleted, result.PiecesOld[block.DeleteStartA + i]);
            for (var i = 0; i < block.InsertCountB; i++) Add(DiffKind.Inserted, result.PiecesNew[block.InsertStartB + i]);
            a = block.DeleteStartA + block.DeleteCountA;
            b = block.InsertStartB + block.InsertCountB;
        }
        for (; a < result.PiecesOld.Count; a++) Add(DiffKind.Same, result.PiecesOld[a]);
        return segments;

        void Add(DiffKind kind, string piece)
        {
            if (segments.Count > 0 && segments[^1].Kind == kind)
            {
                segments[^1] = segments[^1] with { Text = segments[^1].Text + piece };
            }
            else
            {
                segments.Add(new DiffSegment(kind, piece));
            }
        }
    }
}
